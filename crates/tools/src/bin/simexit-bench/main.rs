//! `simexit-bench`: performance measured as ratios against a raw baseline run in the same
//! process, on the same machine, with the same durability settings.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark aborts on any failure")]

mod bulk;
mod import;
mod lifecycle;
mod load;
mod lookup;
mod table;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "simexit-bench", about = "simexit benchmarks, each printed as a ratio to a raw baseline")]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Every benchmark in turn, then one table of every figure beside its raw baseline, printed
    /// and written to `--out`. `--scale full` is the documented sizes (about half an hour on two
    /// cores); `quick` a few minutes at small sizes.
    All {
        #[arg(long, default_value = "full")]
        scale: String,
        #[arg(long, default_value = "bench-results/benchmarks.md")]
        out: PathBuf,
        /// The numbering plan registry to import.
        #[arg(long, default_value = "../shared/data/numbering/DEF-9xx.csv")]
        registry: PathBuf,
    },
    /// Full termination lifecycles: store layer and HTTP API against raw SQLite.
    Lifecycle {
        /// Number of lifecycles per variant.
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// `full` (fsync per commit, the default of `simexit serve`) or `normal`.
        #[arg(long, default_value = "full")]
        durability: String,
        /// Run on PostgreSQL at this URL instead (each variant in a fresh schema, dropped after).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Forced terminations of N lines through the real bulk run, and the aging sweep that
    /// releases them from a larger inventory, each against plain batched SQL.
    Bulk {
        /// Lines to terminate (each later released by the sweep).
        #[arg(long, default_value_t = 1_000_000)]
        lines: usize,
        /// Numbers in the inventory during the sweep (0: skip the sweep).
        #[arg(long, default_value_t = 10_000_000)]
        inventory: usize,
        /// `full` (fsync per commit, the default of `simexit serve`) or `normal`.
        #[arg(long, default_value = "full")]
        durability: String,
    },
    /// `simexit import lines` of N lines (20 per subscriber, the subscribers imported first)
    /// against raw batched inserts of the same rows read by the same CSV reader.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        lines: usize,
        /// `full` (fsync per commit, the default of `simexit serve`) or `normal`.
        #[arg(long, default_value = "full")]
        durability: String,
    },
    /// A sustained mixed load (the day of subscribers, reviewers, clerks and a bank) against
    /// `GET /healthz` at the same concurrency, with memory sampled through the run.
    Load {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
    },
    /// Reassigned-number lookups over HTTP against `/healthz`, the 1,000-pair batch, and the
    /// numbering plan import against parsing alone.
    Lookup {
        /// Numbers in the generated inventory (each with its holder history).
        #[arg(long, default_value_t = 10_000_000)]
        numbers: u64,
        /// Seconds of load per endpoint (after one second of warm-up).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent connections of the load client.
        #[arg(long, default_value_t = 50)]
        connections: usize,
        /// Batches of 1,000 pairs, sent one after another.
        #[arg(long, default_value_t = 300)]
        batches: usize,
        /// Keep the generated database in this folder and reuse it on the next run.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The numbering plan registry to import.
        #[arg(long, default_value = "../shared/data/numbering/DEF-9xx.csv")]
        registry: PathBuf,
        /// Also measure the same lookups with the server on this PostgreSQL database (the
        /// inventory is kept in a schema of its own, `lookup_bench_<numbers>`, and reused).
        #[arg(long)]
        postgres: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    // Measured as deployed (docs/OPERATIONS.md): glibc limited to two allocation arenas, which
    // must be set before the process starts, so the benchmark runs itself again with it.
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .env("MALLOC_ARENA_MAX", "2")
            .status()?;
        std::process::exit(status.code().unwrap_or(1));
    }
    match Cli::parse().bench {
        Bench::All { scale, out, registry } => all(&scale, &out, registry),
        Bench::Lifecycle { n, durability, postgres } => lifecycle::run(n, &durability, postgres),
        Bench::Bulk { lines, inventory, durability } => bulk::run(&bulk::Args { lines, inventory, durability }),
        Bench::Import { lines, durability } => import::run(&import::Args { lines, durability }),
        Bench::Load { seconds, connections } => {
            let args = load::Args { seconds, connections };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let outcome = rt.block_on(load::run(&args))?;
            load::print(&args, &outcome);
            Ok(())
        }
        Bench::Lookup { numbers, seconds, connections, batches, data_dir, registry, postgres } => {
            lookup::run(&lookup::Args { numbers, seconds, connections, batches, data_dir, registry, postgres })
        }
    }
}

fn all(scale: &str, out: &std::path::Path, registry: PathBuf) -> anyhow::Result<()> {
    let full = match scale {
        "full" => true,
        "quick" => false,
        other => anyhow::bail!("scale is `full` or `quick`, not `{other}`"),
    };
    let pick = |f: u64, q: u64| if full { f } else { q };
    lifecycle::run(pick(2_000, 300) as usize, "full", None)?;
    lookup::run(&lookup::Args {
        numbers: pick(10_000_000, 200_000),
        seconds: pick(10, 3),
        connections: pick(50, 16) as usize,
        batches: pick(300, 30) as usize,
        data_dir: None,
        registry,
        postgres: None,
    })?;
    bulk::run(&bulk::Args {
        lines: pick(1_000_000, 20_000) as usize,
        inventory: pick(10_000_000, 200_000) as usize,
        durability: "full".into(),
    })?;
    import::run(&import::Args { lines: pick(1_000_000, 20_000) as usize, durability: "full".into() })?;
    let args = load::Args { seconds: pick(120, 20), connections: pick(16, 8) as usize };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = rt.block_on(load::run(&args))?;
    load::print(&args, &outcome);

    let table = table::render(&table::machine());
    println!("\n{table}");
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, &table)?;
    println!("written to {}", out.display());
    Ok(())
}
