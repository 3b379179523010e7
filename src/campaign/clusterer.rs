//! Campaign detection over a whole docket in memory, with the same rules as assignment on arrival:
//! for rebuilding a docket's campaigns and for measuring speed and quality.

use super::signature::{Signature, HASHES};
use super::{best_match, Candidate, SEED_BELOW};
use rayon::prelude::*;
use std::collections::HashMap;

/// How many remembered examples a new comment is compared with at most.
pub const MAX_CANDIDATES: usize = 64;

#[derive(Default)]
pub struct Clusterer {
    by_exact: HashMap<u64, u32>,
    by_band: HashMap<i64, Vec<u32>>,
    /// Remembered examples: MinHash values and their cluster.
    seeds: Vec<([u32; HASHES], u32)>,
    /// Comments per cluster.
    pub sizes: Vec<u32>,
}

impl Clusterer {
    /// Places one comment and returns its cluster, or `None` when it is too short for any.
    pub fn add(&mut self, signature: Option<&Signature>) -> Option<u32> {
        let signature = signature?;
        if let Some(&cluster) = self.by_exact.get(&signature.exact) {
            self.sizes[cluster as usize] += 1;
            return Some(cluster);
        }
        let keys = signature.band_keys();
        let mut seen: Vec<u32> = Vec::new();
        for key in &keys {
            if let Some(seeds) = self.by_band.get(key) {
                for &seed in seeds {
                    if seen.len() >= MAX_CANDIDATES {
                        break;
                    }
                    if !seen.contains(&seed) {
                        seen.push(seed);
                    }
                }
            }
        }
        let candidates = seen.iter().map(|&seed| {
            let (minhash, cluster) = &self.seeds[seed as usize];
            let equal = minhash
                .iter()
                .zip(signature.minhash.iter())
                .filter(|(a, b)| a == b)
                .count();
            Candidate {
                comment_id: i64::from(seed),
                campaign_id: Some(i64::from(*cluster)),
                similarity: equal as f64 / HASHES as f64,
            }
        });
        let (cluster, remember) = match best_match(candidates) {
            Some(best) => (
                best.campaign_id.unwrap_or_default() as u32,
                best.similarity < SEED_BELOW,
            ),
            None => {
                self.sizes.push(0);
                ((self.sizes.len() - 1) as u32, true)
            }
        };
        self.sizes[cluster as usize] += 1;
        self.by_exact.insert(signature.exact, cluster);
        if remember {
            let seed = self.seeds.len() as u32;
            self.seeds.push((signature.minhash, cluster));
            for key in keys {
                self.by_band.entry(key).or_default().push(seed);
            }
        }
        Some(cluster)
    }
}

impl Clusterer {
    /// Places texts in order of arrival, computing their signatures on every core first.
    pub fn add_all<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> Vec<Option<u32>> {
        let signatures: Vec<Option<Signature>> = texts
            .par_iter()
            .map(|t| Signature::of(t.as_ref()))
            .collect();
        signatures.iter().map(|s| self.add(s.as_ref())).collect()
    }
}

/// Clusters texts in order of arrival. Returns each text's cluster and the size of every cluster.
pub fn cluster_all<S: AsRef<str> + Sync>(texts: &[S]) -> (Vec<Option<u32>>, Vec<u32>) {
    let mut clusterer = Clusterer::default();
    let assigned = clusterer.add_all(texts);
    (assigned, clusterer.sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER_A: &str =
        "I support the proposed order against BetterHelp because people who seek \
        therapy online must be able to trust that their health information stays private and is \
        never handed to advertisers.";
    const LETTER_B: &str = "The Commission should go further and require an independent audit of \
        every advertising integration for twenty years, with notice to each affected user by mail.";

    #[test]
    fn copies_and_near_copies_share_a_cluster_and_short_texts_have_none() {
        let texts = vec![
            LETTER_A.to_owned(),
            LETTER_B.to_owned(),
            LETTER_A.to_uppercase(),
            format!("{LETTER_A} My sister was shown anxiety ads for months after using it."),
            "See attached".to_owned(),
            "See attached".to_owned(),
            format!("Sincerely, Ann. {LETTER_B}"),
        ];
        let (assigned, sizes) = cluster_all(&texts);
        assert_eq!(assigned[0], assigned[2]);
        assert_eq!(assigned[0], assigned[3]);
        assert_eq!(assigned[1], assigned[6]);
        assert_ne!(assigned[0], assigned[1]);
        assert_eq!(assigned[4], None);
        assert_eq!(assigned[5], None);
        assert_eq!(sizes, [3, 2]);
    }
}
