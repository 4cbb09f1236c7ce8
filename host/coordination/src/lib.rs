//! Coordination of distributed-mode workers through a shared, totally ordered log (the config
//! topic's single partition). Being written: see the module docs once it lands.
