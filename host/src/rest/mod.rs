//! REST API (Kafka Connect paths and JSON shapes).
