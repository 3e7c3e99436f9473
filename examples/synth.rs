//! Writes a valid, deterministic register of N synthetic centers into DIR (use it as the
//! `data/` of a site root):
//! `cargo run --release --example synth -- --centers N --seed S --out DIR`

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    centers: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    out: PathBuf,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let register = tizilim::synth::generate(args.centers, args.seed);
    tizilim::register::write::write_csv_tables(&register, &args.out)?;
    println!(
        "{} centers, {} certificates, {} scope rows, {} events → {}",
        register.centers.len(),
        register.certificates.len(),
        register.scope.len(),
        register.events.len(),
        args.out.display()
    );
    Ok(())
}
