//! SDK macros.
