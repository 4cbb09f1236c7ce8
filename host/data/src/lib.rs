//! Connect data model.
