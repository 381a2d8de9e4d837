//! `trustpress share`: one gated package for one recipient (stamped, encrypted), and the
//! access ledger that records it.

pub mod stamp;
