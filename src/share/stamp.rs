//! PDF stamping (being written).
