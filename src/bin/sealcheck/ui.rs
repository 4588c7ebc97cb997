//! Terminal niceties, only where a person is watching: colour on stdout and
//! a progress bar on stderr. Neither ever appears in a pipe or a CI log
//! unless asked for.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use sealcheck::progress::Progress;

use crate::args::ColorChoice;

/// Whether to colour stdout: `--color`, then `NO_COLOR` (set and not empty:
/// never), `CLICOLOR_FORCE` (set and not `0`: always), `CLICOLOR=0` (never),
/// then whether stdout is a terminal.
pub fn use_color(choice: ColorChoice) -> bool {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if var("NO_COLOR").is_some() {
                return false;
            }
            if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            if var("CLICOLOR").is_some_and(|v| v == "0") {
                return false;
            }
            std::io::stdout().is_terminal()
        }
    }
}

const RED_WORDS: &[&str] = &[
    "FAIL",
    "FAIL_CLOSED",
    "CHANGED",
    "MISSING",
    "EXTRA",
    "MOVED",
    "RENAMED",
    "UNSTABLE",
    "UNREADABLE",
    "UNSUPPORTED",
    "MANIFEST",
    "PIN",
    "FORBIDDEN",
    "SECRET",
    "SIGNATURE",
    "NOT-CAUGHT",
    "NOT-RESTORED",
];

/// Colours the first word of each human-output line by what it says.
pub fn colorize(text: &str) -> String {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let green = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let word_end = line.find([' ', '\n']).unwrap_or(line.len());
        let word = &line[..word_end];
        let style = if word == "PASS" || word == "FAIL-CLOSED" {
            Some(green)
        } else if word == "EXTRA-OK" {
            Some(yellow)
        } else if RED_WORDS.contains(&word) {
            Some(red)
        } else {
            None
        };
        match style {
            Some(s) => {
                out.push_str(&format!("{}{word}{}", s.render(), s.render_reset()));
                out.push_str(&line[word_end..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// A progress bar on stderr for a run that lasts over a second, drawn only
/// when stderr is a terminal. Returns the counters and a guard that clears
/// the bar.
pub fn progress() -> (Option<Arc<Progress>>, Option<std::thread::JoinHandle<()>>) {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return (None, None);
    }
    let p = Arc::new(Progress::default());
    let watched = p.clone();
    let handle = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(1) {
            if watched.read().3 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let (_, total, _, _) = watched.read();
        let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} hashing {pos}/{len} files, {msg} [{elapsed_precise}] {wide_bar}",
        ) {
            bar.set_style(style);
        }
        loop {
            let (files, total, bytes, finished) = watched.read();
            bar.set_length(total);
            bar.set_position(files);
            bar.set_message(indicatif::HumanBytes(bytes).to_string());
            if finished {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bar.finish_and_clear();
    });
    (Some(p), Some(handle))
}
