//! Renderers: turn reports into text for people and machines.
//!
//! Every renderer writes into any [`std::io::Write`] and returns its I/O
//! result; none decides an exit code or changes a verdict.

pub mod github;
pub mod gnu;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// The output formats of commands that judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Lines for a person (the default).
    Human,
    /// The JSON report.
    Json,
    /// GitHub Actions annotations (and a job summary).
    Github,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
}
