//! Pure parsing of what the components report: Prometheus text exposition and histogram
//! quantiles. No I/O here; `status.rs` fetches and calls these.

/// The value of the first sample of `name` whose labels contain every `key="value"` in
/// `labels` (Prometheus text format 0.0.4 / OpenMetrics); `None` when there is none.
#[must_use]
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples(text, name)
        .find(|(l, _)| has_labels(l, labels))
        .map(|(_, v)| v)
}

/// Whether a sample's label text includes every `(key, value)` of `labels`.
fn has_labels(label_text: &str, labels: &[(&str, &str)]) -> bool {
    labels
        .iter()
        .all(|(k, v)| label_text.contains(&format!("{k}=\"{v}\"")))
}

/// The sum of the samples of `name` whose labels include every `(key, value)` of
/// `labels`; 0 when there is none.
#[must_use]
pub fn sum_where(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples(text, name)
        .filter(|(l, _)| has_labels(l, labels))
        .map(|(_, v)| v)
        .sum()
}

/// The sum of every sample of `name` (any labels); 0 when there is none.
#[must_use]
pub fn sum(text: &str, name: &str) -> f64 {
    samples(text, name).map(|(_, v)| v).sum()
}

/// Every `(labels, value)` sample of exactly `name`; `labels` is the text between the
/// braces (empty without labels).
fn samples<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = (&'a str, f64)> + 'a {
    text.lines().filter_map(move |line| {
        if line.starts_with('#') {
            return None;
        }
        let rest = line.strip_prefix(name)?;
        let (labels, value) = if let Some(r) = rest.strip_prefix('{') {
            let (labels, after) = r.split_once('}')?;
            (labels, after)
        } else if rest.starts_with(' ') {
            ("", rest)
        } else {
            return None;
        };
        let value = value.split_whitespace().next()?.parse().ok()?;
        Some((labels, value))
    })
}

/// The cumulative `(le, count)` buckets of histogram `name`, ascending by `le`.
fn buckets(text: &str, name: &str) -> Vec<(f64, f64)> {
    let bucket = format!("{name}_bucket");
    let mut buckets: Vec<(f64, f64)> = samples(text, &bucket)
        .filter_map(|(labels, count)| {
            let le = labels.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, count))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    buckets
}

/// The smallest bucket bound `le` of histogram `name` that holds every observation: an
/// upper bound on the largest one (infinite when some fell in `+Inf` only); `None` when it
/// holds no observation.
#[must_use]
pub fn histogram_bound(text: &str, name: &str) -> Option<f64> {
    let buckets = buckets(text, name);
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    buckets.iter().find(|(_, c)| *c >= total).map(|(le, _)| *le)
}

/// The `q` quantile (0..=1) of the histogram `name` (`{name}_bucket{le=…}` cumulative
/// counts), in the histogram's unit, linearly interpolated inside the bucket it falls in;
/// `None` when it holds no observation.
#[must_use]
pub fn histogram_quantile(text: &str, name: &str, q: f64) -> Option<f64> {
    let buckets = buckets(text, name);
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q.clamp(0.0, 1.0) * total;
    let (mut lower_le, mut lower_count) = (0.0, 0.0);
    for (le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return Some(lower_le);
            }
            let width = count - lower_count;
            let frac = if width > 0.0 {
                (rank - lower_count) / width
            } else {
                1.0
            };
            return Some(lower_le + (le - lower_le) * frac);
        }
        (lower_le, lower_count) = (le, count);
    }
    Some(lower_le)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# HELP x\n# TYPE sequencer_decided_transactions counter\n\
        sequencer_decided_transactions_total 42\n\
        sequencer_height 17\n\
        prover_batches{status=\"proven\"} 2\n\
        prover_batches{status=\"sent_to_server\"} 5\n\
        lat_bucket{le=\"0.1\"} 0\n\
        lat_bucket{le=\"0.2\"} 10\n\
        lat_bucket{le=\"0.4\"} 30\n\
        lat_bucket{le=\"+Inf\"} 40\n\
        lat_count 40\n";

    #[test]
    fn samples_by_name_and_labels() {
        assert_eq!(sample(TEXT, "sequencer_height", &[]), Some(17.0));
        assert_eq!(
            sample(TEXT, "sequencer_decided_transactions_total", &[]),
            Some(42.0)
        );
        assert_eq!(
            sample(TEXT, "prover_batches", &[("status", "proven")]),
            Some(2.0)
        );
        assert_eq!(
            sample(TEXT, "prover_batches", &[("status", "failed")]),
            None
        );
        // A prefix of a longer name is not a match.
        assert_eq!(sample(TEXT, "sequencer_decided_transactions", &[]), None);
        assert_eq!(sum(TEXT, "prover_batches"), 7.0);
        assert_eq!(sum(TEXT, "absent"), 0.0);
    }

    #[test]
    fn quantiles_interpolate_inside_the_bucket() {
        // rank 20 of 40: halfway through the (0.2, 0.4] bucket, which holds ranks 10..30.
        let p50 = histogram_quantile(TEXT, "lat", 0.5).expect("p50");
        assert!((p50 - 0.3).abs() < 1e-9, "{p50}");
        assert_eq!(histogram_bound(TEXT, "lat"), Some(f64::INFINITY));
        let lag = "lag_bucket{le=\"0.0\"} 7\nlag_bucket{le=\"1.0\"} 9\nlag_bucket{le=\"2.0\"} 9\nlag_bucket{le=\"+Inf\"} 9\n";
        assert_eq!(histogram_bound(lag, "lag"), Some(1.0));
        assert_eq!(histogram_bound("", "lag"), None);
        // rank 5: halfway through (0.1, 0.2].
        let p12 = histogram_quantile(TEXT, "lat", 0.125).expect("q");
        assert!((p12 - 0.15).abs() < 1e-9, "{p12}");
        // In the +Inf bucket: the last finite bound.
        assert_eq!(histogram_quantile(TEXT, "lat", 0.99), Some(0.4));
        assert_eq!(
            histogram_quantile("lat_bucket{le=\"+Inf\"} 0\n", "lat", 0.5),
            None
        );
        assert_eq!(histogram_quantile("", "lat", 0.5), None);
    }
}
