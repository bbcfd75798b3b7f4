//! The block classifiers over hashed features: multinomial naive Bayes and multinomial logistic
//! regression (softmax, trained by SGD with L2). Both are trained from scratch in well under a
//! second for the sizes a workspace has (see `BENCHMARKS.md`), so the model is rebuilt at start.

use super::features::{DIM, FeatureVec};

/// Which classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Multinomial naive Bayes (Laplace smoothing).
    NaiveBayes,
    /// Multinomial logistic regression.
    Logistic,
}

impl Method {
    /// The stable name (`nb`, `lr`).
    pub fn id(self) -> &'static str {
        match self {
            Method::NaiveBayes => "nb",
            Method::Logistic => "lr",
        }
    }

    /// Parses `nb` / `lr`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "nb" | "bayes" => Some(Method::NaiveBayes),
            "lr" | "logistic" => Some(Method::Logistic),
            _ => None,
        }
    }
}

/// One training example: features, class index and weight.
#[derive(Debug, Clone)]
pub struct Sample {
    pub x: FeatureVec,
    pub y: usize,
    pub weight: f32,
}

/// Training parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    pub method: Method,
    /// NB: additive smoothing.
    pub alpha: f32,
    /// LR: passes over the data.
    pub epochs: usize,
    /// LR: initial learning rate.
    pub learning_rate: f32,
    /// LR: L2 penalty per step on the weights touched.
    pub l2: f32,
    /// Seed of the example order.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            method: Method::Logistic,
            alpha: 0.1,
            epochs: 25,
            learning_rate: 0.5,
            l2: 1e-4,
            seed: 7,
        }
    }
}

/// A trained linear model: `score[c] = bias[c] + Σ x[f] · w[f][c]`.
#[derive(Debug, Clone)]
pub struct Model {
    classes: usize,
    method: Method,
    /// `DIM × classes`, row-major by feature.
    weights: Vec<f32>,
    bias: Vec<f32>,
    /// NB: whether a feature was seen in training (unseen ones are skipped).
    seen: Vec<bool>,
}

/// A small deterministic generator for the example order (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Softmax in place; returns nothing, leaves probabilities.
pub fn softmax(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    if sum > 0.0 {
        for x in v.iter_mut() {
            *x /= sum;
        }
    }
}

impl Model {
    /// Trains a model for `classes` classes.
    pub fn train(classes: usize, samples: &[Sample], p: &TrainParams) -> Self {
        match p.method {
            Method::NaiveBayes => Self::train_nb(classes, samples, p),
            Method::Logistic => Self::train_lr(classes, samples, p),
        }
    }

    fn empty(classes: usize, method: Method) -> Self {
        Self {
            classes,
            method,
            weights: vec![0.0; DIM * classes],
            bias: vec![0.0; classes],
            seen: Vec::new(),
        }
    }

    fn train_nb(classes: usize, samples: &[Sample], p: &TrainParams) -> Self {
        let mut m = Self::empty(classes, Method::NaiveBayes);
        m.seen = vec![false; DIM];
        let mut docs = vec![0.0f64; classes];
        let mut totals = vec![0.0f64; classes];
        for s in samples {
            docs[s.y] += f64::from(s.weight);
            for (&i, &v) in s.x.idx.iter().zip(&s.x.val) {
                let i = i as usize;
                m.weights[i * classes + s.y] += v * s.weight;
                totals[s.y] += f64::from(v * s.weight);
                m.seen[i] = true;
            }
        }
        let vocab = m.seen.iter().filter(|s| **s).count().max(1) as f64;
        let alpha = f64::from(p.alpha);
        let n_docs: f64 = docs.iter().sum::<f64>().max(1.0);
        for c in 0..classes {
            // A class with no example keeps a tiny prior rather than minus infinity.
            m.bias[c] = ((docs[c] + 0.01) / (n_docs + 0.01 * classes as f64)).ln() as f32;
            let denom = totals[c] + alpha * vocab;
            for f in 0..DIM {
                if m.seen[f] {
                    let w = &mut m.weights[f * classes + c];
                    *w = ((f64::from(*w) + alpha) / denom).ln() as f32;
                }
            }
        }
        m
    }

    fn train_lr(classes: usize, samples: &[Sample], p: &TrainParams) -> Self {
        let mut m = Self::empty(classes, Method::Logistic);
        if samples.is_empty() {
            return m;
        }
        let mut order: Vec<usize> = (0..samples.len()).collect();
        let mut rng = Rng(p.seed.max(1));
        let mut scores = vec![0.0f32; classes];
        // Large training sets need fewer passes: at most ~250,000 steps keep a start-up rebuild
        // within about a second (BENCHMARKS.md).
        let epochs = p.epochs.min((250_000 / samples.len()).max(4));
        let steps = (epochs * samples.len()) as f32;
        let mut t = 0.0f32;
        let l2 = p.l2;
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &k in &order {
                let s = &samples[k];
                let lr = p.learning_rate / (1.0 + 4.0 * t / steps);
                t += 1.0;
                m.scores_into(&s.x, &mut scores);
                softmax(&mut scores);
                for (c, prob) in scores.iter().enumerate() {
                    let g = (prob - if c == s.y { 1.0 } else { 0.0 }) * s.weight;
                    m.bias[c] -= lr * g;
                    if g.abs() < 1e-6 && l2 == 0.0 {
                        continue;
                    }
                    for (&i, &v) in s.x.idx.iter().zip(&s.x.val) {
                        let w = &mut m.weights[i as usize * classes + c];
                        *w -= lr * (g * v + l2 * *w);
                    }
                }
            }
        }
        m
    }

    /// Raw scores (log-odds up to a constant) into `out`.
    pub fn scores_into(&self, x: &FeatureVec, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for (&i, &v) in x.idx.iter().zip(&x.val) {
            let i = i as usize;
            if self.method == Method::NaiveBayes && !self.seen[i] {
                continue;
            }
            let row = &self.weights[i * self.classes..(i + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }

    /// Class probabilities.
    pub fn predict(&self, x: &FeatureVec) -> Vec<f32> {
        let mut out = vec![0.0; self.classes];
        self.scores_into(x, &mut out);
        softmax(&mut out);
        out
    }

    /// The method this model was trained with.
    pub fn method(&self) -> Method {
        self.method
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fv(pairs: &[(u32, f32)]) -> FeatureVec {
        FeatureVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1).collect(),
        }
    }

    fn toy() -> Vec<Sample> {
        vec![
            Sample {
                x: fv(&[(1, 1.0), (2, 1.0)]),
                y: 0,
                weight: 1.0,
            },
            Sample {
                x: fv(&[(1, 1.0), (3, 1.0)]),
                y: 0,
                weight: 1.0,
            },
            Sample {
                x: fv(&[(4, 1.0), (5, 1.0)]),
                y: 1,
                weight: 1.0,
            },
            Sample {
                x: fv(&[(4, 1.0), (6, 1.0)]),
                y: 1,
                weight: 1.0,
            },
        ]
    }

    #[test]
    fn both_methods_separate_a_toy_problem() {
        for method in [Method::NaiveBayes, Method::Logistic] {
            let p = TrainParams {
                method,
                ..TrainParams::default()
            };
            let m = Model::train(2, &toy(), &p);
            let a = m.predict(&fv(&[(1, 1.0)]));
            let b = m.predict(&fv(&[(4, 1.0)]));
            assert!(a[0] > 0.6, "{method:?} {a:?}");
            assert!(b[1] > 0.6, "{method:?} {b:?}");
        }
    }
}
