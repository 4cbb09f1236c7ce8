//! SplitMix64 (Steele, Lea and Flood, 2014; the generator behind Java's `SplittableRandom`): a
//! tiny, dependency-free PRNG whose output never changes with a crate upgrade, so a seed keeps
//! naming the same records forever.

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijection on `u64` that mixes every input bit into every
/// output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash a few words into one seed (each step is a bijection of the next word, so inputs that
/// differ in one word give different seeds).
pub(crate) fn hash(words: &[u64]) -> u64 {
    words.iter().fold(0x6A09_E667_F3BC_C909, |h, &w| {
        mix((h ^ w).wrapping_add(GAMMA))
    })
}

/// FNV-1a, 64 bits: a stable hash of a string (the default seed from the connector's name).
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A number in `[0, n)` (`n > 0`), by multiply-and-shift (bias below `n / 2^64`, irrelevant
    /// for test data).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `[min, max)` (`min < max`).
    pub(crate) fn range_i64(&mut self, min: i64, max: i64) -> i64 {
        let span = max.wrapping_sub(min) as u64;
        min.wrapping_add(self.below(span) as i64)
    }

    /// A number in `[0, 1)` with 53 random bits.
    pub(crate) fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A number in `[min, max)`.
    pub(crate) fn range_f64(&mut self, min: f64, max: f64) -> f64 {
        min + self.unit_f64() * (max - min)
    }

    /// A decimal digit in `[low, 9]`, as a character.
    pub(crate) fn digit(&mut self, low: u8) -> char {
        char::from(b'0' + low + self.below(u64::from(10 - low)) as u8)
    }

    /// One of `options` (not empty).
    pub(crate) fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64_sequence() {
        // First outputs for seed 1234567 of the reference implementation (Vigna's splitmix64.c).
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..10_000 {
            let v = rng.range_i64(10_000, 99_999);
            assert!((10_000..99_999).contains(&v));
            let f = rng.range_f64(0.1, 10.0);
            assert!((0.1..10.0).contains(&f));
            assert!(('1'..='9').contains(&rng.digit(1)));
            assert!(rng.below(3) < 3);
        }
        assert_eq!(rng.range_i64(5, 6), 5);
    }

    #[test]
    fn hash_separates_its_inputs() {
        assert_ne!(hash(&[1, 0, 0]), hash(&[0, 1, 0]));
        assert_ne!(hash(&[42, 0, 1]), hash(&[42, 1, 0]));
        assert_eq!(hash(&[42, 3, 9]), hash(&[42, 3, 9]));
        assert_ne!(fnv1a("a"), fnv1a("b"));
        assert_eq!(fnv1a(""), 0xCBF2_9CE4_8422_2325);
    }
}
