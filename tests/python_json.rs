//! `drift::json::dumps` against real CPython `json.dumps`, byte for byte, in
//! every layout the diagnosis tries, over random documents.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sealcheck::drift::json::{dumps, float_repr, parse, Indent, Layout};
use serde_json::Value;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| parse(float_repr(f).as_bytes()).unwrap()),
        "\\PC{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn py_layout(l: &Layout) -> serde_json::Value {
    let indent = match l.indent {
        Indent::None => Value::Null,
        Indent::Spaces(n) => Value::from(n),
        Indent::Tab => Value::from("\t"),
    };
    serde_json::json!({"indent": indent, "compact": l.compact, "sort_keys": l.sort_keys, "ensure_ascii": l.ensure_ascii})
}

const PY: &str = r#"
import json, sys
layouts = json.loads(sys.stdin.readline())
for line in sys.stdin:
    v = json.loads(line)
    out = []
    for l in layouts:
        kw = dict(indent=l["indent"], sort_keys=l["sort_keys"], ensure_ascii=l["ensure_ascii"])
        if l["compact"]:
            kw["separators"] = (",", ":")
        out.append(json.dumps(v, **kw))
    print(json.dumps(out))
"#;

#[test]
fn dumps_matches_cpython_in_every_layout() {
    let cases: usize = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256).max(256);
    let mut runner = TestRunner::deterministic();
    let values: Vec<Value> = (0..cases).map(|_| value().new_tree(&mut runner).unwrap().current()).collect();
    let layouts = Layout::all();
    let mut child = Command::new("python3")
        .args(["-c", PY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut input = serde_json::to_string(&layouts.iter().map(py_layout).collect::<Vec<_>>()).unwrap();
    input.push('\n');
    let compact = Layout { indent: Indent::None, compact: true, sort_keys: false, ensure_ascii: true };
    for v in &values {
        input.push_str(&dumps(v, &compact));
        input.push('\n');
    }
    // Feed stdin from another thread: Python answers while it reads, and a
    // full stdout pipe must not stop it reading.
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), values.len());
    let mut mismatches = 0;
    for (v, line) in values.iter().zip(lines) {
        let expected: Vec<String> = serde_json::from_str(line).unwrap();
        for (l, want) in layouts.iter().zip(expected) {
            let ours = dumps(v, l);
            if ours != want {
                mismatches += 1;
                if mismatches < 5 {
                    eprintln!("{}:\n  python: {want:?}\n  ours:   {ours:?}", l.describe());
                }
            }
        }
    }
    assert_eq!(mismatches, 0, "dumps differs from CPython");
}
