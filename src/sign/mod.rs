//! Signatures (being written).
