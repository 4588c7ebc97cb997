//! The JSON report renderer: pretty, two-space indent, final newline.

use std::io::{self, Write};

use crate::Report;

/// Writes `report` as JSON.
pub fn write<W: Write + ?Sized>(w: &mut W, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

/// The JSON text of `report`.
pub fn to_string(report: &Report) -> String {
    let mut out = Vec::new();
    write(&mut out, report).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
