//! The one table of `simexit-bench all`: every benchmark records its figures here, each beside
//! the raw baseline it is measured against, and the table is printed and written to a file.

use std::fmt::Write;
use std::sync::Mutex;

pub struct Figure {
    pub bench: &'static str,
    pub what: String,
    pub value: f64,
    pub unit: &'static str,
    /// What the same work costs without simexit (plain SQL, `/healthz`, parsing alone).
    pub baseline: Option<(String, f64)>,
    /// The ratio's direction: for rates higher is better (value / baseline), for times lower
    /// (baseline / value), so a ratio of 1.0 always means "as fast as the baseline".
    pub higher_is_better: bool,
}

static FIGURES: Mutex<Vec<Figure>> = Mutex::new(Vec::new());

pub fn record(f: Figure) {
    FIGURES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(f);
}

pub fn rate(bench: &'static str, what: &str, value: f64, unit: &'static str, baseline: Option<(&str, f64)>) {
    let baseline = baseline.map(|(n, v)| (n.to_owned(), v));
    record(Figure { bench, what: what.to_owned(), value, unit, baseline, higher_is_better: true });
}

pub fn time(bench: &'static str, what: &str, value: f64, unit: &'static str, baseline: Option<(&str, f64)>) {
    let baseline = baseline.map(|(n, v)| (n.to_owned(), v));
    record(Figure { bench, what: what.to_owned(), value, unit, baseline, higher_is_better: false });
}

/// The table in Markdown.
pub fn render(machine: &str) -> String {
    let figures = FIGURES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {machine}\n");
    out.push_str(
        "| benchmark | figure | value | raw baseline | baseline value | ratio |\n|---|---|---:|---|---:|---:|\n",
    );
    for f in figures.iter() {
        let (base, base_value, ratio) = match &f.baseline {
            Some((name, v)) => {
                let ratio = if f.higher_is_better { f.value / v } else { v / f.value };
                (name.as_str(), format!("{} {}", fmt(*v), f.unit), format!("{ratio:.2}"))
            }
            None => ("—", "—".to_owned(), "—".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {base} | {base_value} | {ratio} |",
            f.bench,
            f.what,
            fmt(f.value),
            f.unit
        );
    }
    out
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// What the table was measured on.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or(0, |kib| kib / 1024 / 1024);
    format!("{cpus} CPUs ({model}), {mem} GiB, {}", jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC"))
}
