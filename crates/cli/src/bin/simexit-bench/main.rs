//! `simexit-bench`: performance measured as ratios against a raw baseline run in the same
//! process, on the same machine, with the same durability settings.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark aborts on any failure")]

mod bulk;
mod lifecycle;
mod lookup;

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
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Lifecycle { n, durability, postgres } => lifecycle::run(n, &durability, postgres),
        Bench::Bulk { lines, inventory, durability } => bulk::run(&bulk::Args { lines, inventory, durability }),
        Bench::Lookup { numbers, seconds, connections, batches, data_dir, registry } => {
            lookup::run(&lookup::Args { numbers, seconds, connections, batches, data_dir, registry })
        }
    }
}
