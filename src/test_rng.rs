//! The seeded random numbers of the unit tests' random inputs (xorshift64): the same
//! sequence on every run and machine, so a failing input can be found again.

/// A xorshift64 generator; its state is the last number drawn (or the seed).
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number below `n` (below 1 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
