//! Live traffic: a background workload of clients issuing gets and puts at
//! a rate, as the `traffic` step starts it.
//!
//! Operations arrive as a Poisson stream (exponential gaps at `rate` a
//! virtual second) drawn from a generator seeded by the engine's seed and
//! the instant the traffic started, so a run is deterministic by seed like
//! everything else. Each arrival picks one of `clients` clients, a key among
//! `keys` (uniformly, or with a Zipf skew `zipf=S`: key `t:0` is the hottest)
//! and a get (with probability `reads`) or a put. Clients behave as real
//! ones: the engine's client keeps the context of its last answer per key,
//! and a put writes the union of the items the client last read of that key
//! (merging siblings) plus a new item, with that context. Traffic goes
//! through the engine's open-loop hook ([`crate::engine::arrivals`]), so
//! every operation runs the same client and node code as a typed put or get.
//!
//! Traffic keys are named `t:0` .. `t:K-1` and clients `traffic1` ..
//! `trafficC`, which is how the playground's log tells traffic apart.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use crate::core::client::{OpKind, OpReport};
use crate::core::config::Routing;
use crate::core::hash::mix64;
use crate::core::ids::ClientId;
use crate::core::message::Outcome;
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::version::{Key, Value};
use crate::engine::Engine;
use crate::engine::arrivals::{Arrival, Arrivals};

/// What traffic keys start with.
pub const KEY_PREFIX: &str = "t:";
/// What traffic clients' names start with.
pub const CLIENT_PREFIX: &str = "traffic";
/// The most operations a virtual second.
pub const MAX_RATE: u32 = 100_000;
/// The most keys.
pub const MAX_KEYS: u32 = 10_000;
/// The most clients.
pub const MAX_CLIENTS: u32 = 64;
/// The largest Zipf exponent.
pub const MAX_ZIPF: f64 = 5.0;
/// How many items a traffic value keeps (the newest): values stay small.
pub const MAX_ITEMS: usize = 8;

/// What a `traffic` step starts.
#[derive(Clone, Debug, PartialEq)]
pub struct TrafficSpec {
    /// Operations per virtual second.
    pub rate: u32,
    pub keys: u32,
    /// The share of operations that are gets, 0 to 1.
    pub reads: f64,
    /// Zipf exponent of the key choice; `None`: uniform.
    pub zipf: Option<f64>,
    pub clients: u32,
    /// Routing of the traffic's operations; `None`: the cluster's.
    pub via: Option<Routing>,
    pub r: Option<usize>,
    pub w: Option<usize>,
}

impl TrafficSpec {
    pub const DEFAULT_KEYS: u32 = 100;
    pub const DEFAULT_READS: f64 = 0.5;
    pub const DEFAULT_CLIENTS: u32 = 4;

    /// A spec with the defaults for everything but the rate.
    pub fn at_rate(rate: u32) -> TrafficSpec {
        TrafficSpec {
            rate,
            keys: Self::DEFAULT_KEYS,
            reads: Self::DEFAULT_READS,
            zipf: None,
            clients: Self::DEFAULT_CLIENTS,
            via: None,
            r: None,
            w: None,
        }
    }

    /// Checks every field's range.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=MAX_RATE).contains(&self.rate) {
            return Err(format!(
                "traffic: rate {} is out of range; 1 to {MAX_RATE} operations a second",
                self.rate
            ));
        }
        if !(1..=MAX_KEYS).contains(&self.keys) {
            return Err(format!("traffic: keys={} is out of range; 1 to {MAX_KEYS}", self.keys));
        }
        if !(0.0..=1.0).contains(&self.reads) {
            return Err(format!(
                "traffic: reads={} is out of range; a share from 0 to 1",
                self.reads
            ));
        }
        if let Some(s) = self.zipf
            && !(s > 0.0 && s <= MAX_ZIPF)
        {
            return Err(format!(
                "traffic: zipf={s} is out of range; an exponent above 0, at most {MAX_ZIPF}"
            ));
        }
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return Err(format!(
                "traffic: clients={} is out of range; 1 to {MAX_CLIENTS}",
                self.clients
            ));
        }
        for (name, q) in [("r", self.r), ("w", self.w)] {
            if let Some(q) = q
                && (q == 0 || q > crate::core::config::MAX_NODES)
            {
                return Err(format!("traffic: {name}={q} is out of range; a quorum from 1 to N"));
            }
        }
        Ok(())
    }

    /// `200 ops/s over 100 keys (zipf 1.1), 80% gets, 4 clients, any-node, r=1 w=1`.
    pub fn describe(&self) -> String {
        let mut out = format!("{} ops/s over {} keys", self.rate, self.keys);
        if let Some(s) = self.zipf {
            out.push_str(&format!(" (zipf {s})"));
        }
        out.push_str(&format!(
            ", {}% gets, {} clients",
            (self.reads * 100.0).round(),
            self.clients
        ));
        if let Some(v) = self.via {
            out.push_str(&format!(", {}", v.name()));
        }
        if let Some(r) = self.r {
            out.push_str(&format!(", r={r}"));
        }
        if let Some(w) = self.w {
            out.push_str(&format!(", w={w}"));
        }
        out
    }
}

/// The name of traffic key `i`.
pub fn key_name(i: u32) -> String {
    format!("{KEY_PREFIX}{i}")
}

/// True for a traffic key.
pub fn is_traffic_key(key: &str) -> bool {
    key.starts_with(KEY_PREFIX)
}

/// True for a traffic client's name.
pub fn is_traffic_client(name: &str) -> bool {
    name.strip_prefix(CLIENT_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Starts `spec` on `engine` now, replacing any traffic.
pub fn start(spec: &TrafficSpec, engine: &mut Engine) -> Result<(), String> {
    spec.check()?;
    for (name, q) in [("r", spec.r), ("w", spec.w)] {
        if let Some(q) = q
            && q > engine.settings().replicas
        {
            return Err(format!(
                "traffic: {name}={q} is more than N={}; a quorum must be between 1 and N",
                engine.settings().replicas
            ));
        }
    }
    let clients = (1..=spec.clients)
        .map(|i| engine.client(&format!("{CLIENT_PREFIX}{i}")))
        .collect();
    let seed = mix64(engine.seed() ^ 0x7472_6166_6669_6300 ^ engine.now().micros());
    let load = TrafficLoad::new(spec.clone(), clients, engine.now(), seed);
    engine.set_arrivals(Some(Box::new(load)));
    Ok(())
}

/// Stops the traffic (operations in flight finish).
pub fn stop(engine: &mut Engine) {
    engine.set_arrivals(None);
}

/// The running workload: the engine's [`Arrivals`].
#[derive(Clone)]
pub struct TrafficLoad {
    spec: TrafficSpec,
    clients: Vec<ClientId>,
    seed: u64,
    /// Draws the gaps between arrivals, in sequence.
    gaps: ChaCha8Rng,
    next: Time,
    /// The cumulative Zipf distribution over the keys, if skewed.
    zipf_cdf: Option<Vec<f64>>,
    /// Key names, made once.
    keys: Vec<Key>,
    /// What each client last read of each key it has not written since:
    /// the values of the versions its get returned.
    last_read: FxHashMap<(ClientId, u32), Vec<Value>>,
    /// The key index of each traffic key, for reports.
    key_index: FxHashMap<Key, u32>,
}

impl TrafficLoad {
    pub fn new(spec: TrafficSpec, clients: Vec<ClientId>, now: Time, seed: u64) -> TrafficLoad {
        let keys: Vec<Key> = (0..spec.keys).map(|i| Key::from(key_name(i).as_str())).collect();
        let key_index = keys.iter().enumerate().map(|(i, k)| (k.clone(), i as u32)).collect();
        let zipf_cdf = spec.zipf.map(|s| {
            let weights: Vec<f64> = (1..=spec.keys).map(|k| 1.0 / (k as f64).powf(s)).collect();
            let total: f64 = weights.iter().sum();
            let mut acc = 0.0;
            weights
                .iter()
                .map(|w| {
                    acc += w / total;
                    acc
                })
                .collect()
        });
        TrafficLoad {
            spec,
            clients,
            seed,
            gaps: ChaCha8Rng::seed_from_u64(seed),
            next: now,
            zipf_cdf,
            keys,
            last_read: FxHashMap::default(),
            key_index,
        }
    }

    /// A uniform draw in [0, 1) for arrival `seq`'s choice number `which`.
    fn uniform(&self, seq: u64, which: u64) -> f64 {
        let h = mix64(self.seed ^ mix64(seq.wrapping_mul(4).wrapping_add(which)));
        (h >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick_key(&self, u: f64) -> u32 {
        match &self.zipf_cdf {
            Some(cdf) => cdf.partition_point(|&c| c <= u).min(cdf.len() - 1) as u32,
            None => ((u * self.spec.keys as f64) as u32).min(self.spec.keys - 1),
        }
    }

    /// The value a put by `client` of key `k` writes: the union of what
    /// it last read there, then a new item, the newest [`MAX_ITEMS`] kept.
    fn value(&mut self, client: ClientId, k: u32, seq: u64) -> Value {
        let read = self.last_read.remove(&(client, k)).unwrap_or_default();
        let mut items: Vec<String> = Vec::new();
        for v in &read {
            for item in v.split(',').filter(|i| !i.is_empty()) {
                if !items.iter().any(|x| x == item) {
                    items.push(item.to_string());
                }
            }
        }
        items.push(format!("{}.{seq}", client.0));
        let skip = items.len().saturating_sub(MAX_ITEMS);
        Value::from(items[skip..].join(",").as_str())
    }
}

impl Arrivals for TrafficLoad {
    fn next_time(&mut self) -> Time {
        let u: f64 = self.gaps.random();
        let gap_us = -(1.0 - u).ln() * 1e6 / self.spec.rate as f64;
        self.next += Dur(gap_us.min(3.6e9) as u64);
        self.next
    }

    fn arrive(&mut self, _at: Time, seq: u64, _ring: &Ring) -> Option<Arrival> {
        let client = self.clients[(self.uniform(seq, 0) * self.clients.len() as f64) as usize % self.clients.len()];
        let k = self.pick_key(self.uniform(seq, 1));
        let kind = if self.uniform(seq, 2) < self.spec.reads {
            OpKind::Get {
                r: self.spec.r,
                pr: None,
            }
        } else {
            OpKind::Put {
                value: self.value(client, k, seq),
                w: self.spec.w,
                pw: None,
                context: None,
            }
        };
        Some(Arrival {
            client,
            key: self.keys[k as usize].clone(),
            kind,
            via: None,
            routing: self.spec.via,
        })
    }

    fn finished(&mut self, report: &OpReport) -> bool {
        if !self.clients.contains(&report.client) {
            return false;
        }
        if let Outcome::Get { versions, .. } = &report.outcome
            && let Some(&k) = self.key_index.get(&report.key)
        {
            if versions.is_empty() {
                self.last_read.remove(&(report.client, k));
            } else {
                let values = versions.iter().map(|v| v.value.clone()).collect();
                self.last_read.insert((report.client, k), values);
            }
        }
        true
    }

    fn describe(&self) -> String {
        self.spec.describe()
    }

    fn clone_box(&self) -> Box<dyn Arrivals> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_come_at_the_rate_and_keys_follow_the_skew() {
        let mut spec = TrafficSpec::at_rate(1000);
        spec.zipf = Some(1.1);
        let mut load = TrafficLoad::new(spec, vec![ClientId(0), ClientId(1)], Time::ZERO, 7);
        let mut last = Time::ZERO;
        let mut n = 0;
        while last < Time::ZERO + Dur::from_secs(10) {
            last = load.next_time();
            n += 1;
        }
        assert!((9_000..11_000).contains(&n), "{n} arrivals in 10s at 1000/s");
        let mut hot = 0;
        for seq in 0..10_000 {
            if load.pick_key(load.uniform(seq, 1)) == 0 {
                hot += 1;
            }
        }
        // Zipf 1.1 over 100 keys gives the hottest key about 19%.
        assert!((1_500..2_500).contains(&hot), "{hot}");
    }

    #[test]
    fn a_put_after_reading_siblings_writes_their_union_and_a_new_item() {
        let mut load = TrafficLoad::new(TrafficSpec::at_rate(10), vec![ClientId(3)], Time::ZERO, 1);
        load.last_read
            .insert((ClientId(3), 5), vec![Value::from("1.4,2.7"), Value::from("1.4,0.9")]);
        assert_eq!(&*load.value(ClientId(3), 5, 12), "1.4,2.7,0.9,3.12");
        assert_eq!(&*load.value(ClientId(3), 5, 13), "3.13", "the read is used once");
    }

    #[test]
    fn names_tell_traffic_apart() {
        assert!(is_traffic_client("traffic12") && !is_traffic_client("traffic") && !is_traffic_client("alice"));
        assert!(is_traffic_key(&key_name(3)) && !is_traffic_key("cart"));
    }
}
