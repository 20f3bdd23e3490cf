//! `GET /metrics` in the Prometheus text format (0.0.4): HTTP requests by route and status with
//! latency histograms, counted in memory by a middleware; and, read from the database at each
//! scrape through indexes over the waiting rows only, the jobs due, running and failed, the
//! outbox depth, the requests by state and the review deadlines missed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use simexit_store::StoreExt;

use crate::error::ApiError;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    /// Observations at or below each bucket's bound (cumulative when written).
    buckets: [u64; BUCKETS.len()],
}

/// The HTTP counters of one server.
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → latency series.
    http: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut http = self.http.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = http.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            s.buckets[i] += 1;
        }
    }
}

/// Counts every request under its route pattern (never the raw path, whose ids and numbers
/// would make a series per subscriber).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    // A made-up method would otherwise open a series of its own, never freed.
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The exposition of HTTP series.
fn write_http(out: &mut String, metrics: &Metrics) {
    let http = metrics.http.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    out.push_str("# HELP simexit_http_requests_total HTTP requests served, by route pattern and status.\n");
    out.push_str("# TYPE simexit_http_requests_total counter\n");
    for ((method, route, status), s) in http.iter() {
        let _ = writeln!(
            out,
            "simexit_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
            label(method),
            label(route),
            s.count
        );
    }
    out.push_str("# HELP simexit_http_request_duration_seconds Time to answer, by route pattern.\n");
    out.push_str("# TYPE simexit_http_request_duration_seconds histogram\n");
    let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
    for ((method, route, _), s) in http.iter() {
        let agg = by_route.entry((method, route)).or_default();
        agg.count += s.count;
        agg.sum += s.sum;
        for (a, b) in agg.buckets.iter_mut().zip(s.buckets) {
            *a += b;
        }
    }
    for ((method, route), s) in &by_route {
        let labels = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(s.buckets) {
            cumulative += n;
            let _ =
                writeln!(out, "simexit_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "simexit_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
        let _ = writeln!(out, "simexit_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
        let _ = writeln!(out, "simexit_http_request_duration_seconds_count{{{labels}}} {}", s.count);
    }
}

fn gauge(out: &mut String, name: &str, help: &str, label_name: &str, rows: &[(String, i64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (value, n) in rows {
        let _ = writeln!(out, "{name}{{{label_name}=\"{}\"}} {n}", label(value));
    }
}

/// The scrape.
pub async fn scrape(State(state): State<AppState>) -> Result<Response, ApiError> {
    let now = state.service.now();
    let (depths, counts) = state
        .blocking(move |s| {
            Ok(s.store.read(|tx| {
                Ok::<_, simexit_store::StoreError>((
                    tx.queue_depths(now)?,
                    tx.dashboard_counts(&["state", "sla"], None)?,
                ))
            })?)
        })
        .await?;
    let pick = |rows: &[(String, String, i64)], metric: &str| -> Vec<(String, i64)> {
        rows.iter().filter(|r| r.0 == metric).map(|r| (r.1.clone(), r.2)).collect()
    };
    let mut out = String::new();
    write_http(&mut out, &state.metrics);
    gauge(
        &mut out,
        "simexit_jobs",
        "Jobs by state: due (or with an expired lease), scheduled, running, failed.",
        "state",
        &pick(&depths, "jobs"),
    );
    gauge(
        &mut out,
        "simexit_outbox_messages",
        "Notifications waiting to be sent, and parked after failures.",
        "state",
        &pick(&depths, "outbox"),
    );
    gauge(
        &mut out,
        "simexit_review_requests",
        "Requests awaiting review, and those past their deadline.",
        "state",
        &pick(&depths, "review"),
    );
    gauge(&mut out, "simexit_termination_requests", "Termination requests by state.", "state", &pick(&counts, "state"));
    let sla = pick(&counts, "sla");
    gauge(
        &mut out,
        "simexit_review_sla_requests",
        "Reviewed requests decided on time or late, and open ones in time or overdue.",
        "outcome",
        &sla,
    );
    let breaches: i64 = sla.iter().filter(|(k, _)| k == "late" || k == "open_overdue").map(|r| r.1).sum();
    let _ = writeln!(
        out,
        "# HELP simexit_review_sla_breaches Requests decided after, or still open past, their review deadline."
    );
    let _ = writeln!(out, "# TYPE simexit_review_sla_breaches gauge\nsimexit_review_sla_breaches {breaches}");
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let horizons: Vec<(String, i64)> =
        state.service.calendars.horizons(today).into_iter().map(|(id, _, days)| (id, days)).collect();
    gauge(
        &mut out,
        "simexit_calendar_days_left",
        "Days until each production calendar's last known day; import the next year's before 0 (warned at 60).",
        "calendar",
        &horizons,
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response())
}
