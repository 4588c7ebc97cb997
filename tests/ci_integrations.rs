//! Where CI users live: the GitHub Action (`action.yml`), the pre-commit
//! hooks (`.pre-commit-hooks.yaml`) and the GitLab component
//! (`templates/sealcheck.yml`), each checked by that system's own validator
//! and run for real where it can be here.

mod common;

use std::path::Path;
use std::process::Command;

use common::{put, require_tool, sample_packet, sealcheck};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_action_passes_actionlint_and_the_github_actions_schema() {
    if !require_tool("actionlint") || !require_tool("check-jsonschema") {
        return;
    }
    // actionlint checks an action's metadata through a workflow that uses it.
    let scratch = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("action.yml"), scratch.path().join("action.yml")).unwrap();
    std::fs::create_dir_all(scratch.path().join(".github/workflows")).unwrap();
    std::fs::copy(repo().join("ci/example-workflow.yml"), scratch.path().join(".github/workflows/evidence.yml"))
        .unwrap();
    ok(Command::new("git").arg("init").arg("-q").arg(scratch.path()));
    ok(Command::new("actionlint").current_dir(scratch.path()));
    ok(Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(repo().join("action.yml")));
}

#[test]
fn the_gitlab_component_job_passes_the_gitlab_ci_schema() {
    if !require_tool("check-jsonschema") || !require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.json");
    ok(Command::new("python3")
        .arg("-c")
        .arg("import yaml, json, sys\ndocs = list(yaml.safe_load_all(open(sys.argv[1])))\nassert 'spec' in docs[0] and 'inputs' in docs[0]['spec']\njson.dump(docs[1], open(sys.argv[2], 'w'))")
        .arg(repo().join("templates/sealcheck.yml"))
        .arg(&job));
    ok(Command::new("check-jsonschema").args(["--builtin-schema", "vendor.gitlab-ci"]).arg(&job));
    let text = std::fs::read_to_string(repo().join("templates/sealcheck.yml")).unwrap();
    assert!(text.contains("junit: sealcheck-junit.xml"), "the JUnit report is published");
}

/// Runs the action's gate step as the runner would: inputs as INPUT_*,
/// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files.
fn gate(packet: &Path, extra: &[(&str, &str)]) -> (i32, String, String, bool) {
    let runner = tempfile::tempdir().unwrap();
    let (outputs, summary) = (runner.path().join("output"), runner.path().join("summary"));
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("ci/action-step.sh"))
        .env("INPUT_PACKET", packet)
        .env("INPUT_FORMAT", "github")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", runner.path())
        .env("SEALCHECK", assert_cmd::cargo::cargo_bin("sealcheck"))
        .env("SOURCE_DATE_EPOCH", "1795219200");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let written = std::fs::read_to_string(&outputs).unwrap_or_default();
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    let report = written
        .lines()
        .find_map(|l| l.strip_prefix("report-path="))
        .is_some_and(|r| std::fs::read_to_string(r).is_ok_and(|t| t.contains("\"doc\": \"sealcheck-report\"")));
    (out.status.code().unwrap(), written, md, report)
}

#[test]
fn the_action_step_sets_its_outputs_and_fails_when_the_gate_is_red() {
    let p = sample_packet();
    let tree = String::from_utf8(sealcheck().arg("seal").arg(p.path()).output().unwrap().stdout).unwrap();
    let tree = tree.trim();
    let (code, outputs, summary, report) = gate(p.path(), &[("INPUT_EXPECT_TREE", tree)]);
    assert_eq!(code, 0, "{outputs}");
    assert!(outputs.contains("final-status=PASS\n"), "{outputs}");
    assert!(outputs.contains(&format!("packet-tree-sha256={tree}\n")), "{outputs}");
    assert!(report, "report-path names the JSON report");
    assert!(summary.contains("PASS"), "{summary}");
    put(p.path(), b"README.md", b"drifted\n");
    let (code, outputs, summary, _) = gate(p.path(), &[("INPUT_ARGS", "--scan-secrets\n")]);
    assert_eq!(code, 1, "the step fails when the gate is red");
    assert!(outputs.contains("final-status=FAIL_CLOSED\n"), "{outputs}");
    assert!(summary.contains("FAIL_CLOSED"), "{summary}");
    let (code, outputs, _, _) = gate(p.path(), &[("INPUT_EXPECT_TREE", "not-hex")]);
    assert_eq!(code, 2);
    assert!(outputs.contains("final-status=FAIL_CLOSED\n"), "a bad input still leaves a true record: {outputs}");
}

#[test]
fn the_pre_commit_hook_runs_for_real_green_then_red() {
    if !require_tool("pre-commit") || !require_tool("git") {
        return;
    }
    // pre-commit builds the hook from a commit of this repository.
    let head = Command::new("git").current_dir(repo()).args(["rev-parse", "HEAD"]).output().unwrap();
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("work");
    let p = work.join("evidence");
    put(&p, b"report.md", b"the run passed\n");
    sealcheck().arg("seal").arg(&p).assert().success();
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {head}\n  hooks:\n  - id: sealcheck-verify\n    args: [evidence/]\n    files: ^evidence/\n",
            repo().display()
        ),
    )
    .unwrap();
    let git = |args: &[&str]| ok(Command::new("git").current_dir(&work).args(args));
    git(&["init", "-q"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A"]);
    let run = || {
        Command::new("pre-commit")
            .current_dir(&work)
            .args(["run", "--all-files"])
            .env("PRE_COMMIT_HOME", scratch.path().join("cache"))
            .output()
            .unwrap()
    };
    let green = run();
    assert!(
        green.status.success(),
        "{}{}",
        String::from_utf8_lossy(&green.stdout),
        String::from_utf8_lossy(&green.stderr)
    );
    put(&p, b"report.md", b"the run passed\r\n");
    git(&["add", "-A"]);
    let red = run();
    assert!(!red.status.success(), "a drifted packet must fail the hook");
    assert!(String::from_utf8_lossy(&red.stdout).contains("crlf_drift"), "{}", String::from_utf8_lossy(&red.stdout));
}
