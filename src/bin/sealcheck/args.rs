//! Command-line flags, as parsed (the raw layer). `run.rs` turns them into
//! library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  sealcheck seal evidence/                 write evidence/HASH_MANIFEST.txt, print packet_tree_sha256
  sealcheck verify evidence/               the seal-vs-bytes gate (exit 0 only when every byte matches)
  sealcheck verify evidence/ --expect-tree 9f86d0…  also pin the manifest itself
  sealcheck tree-hash evidence/            print packet_tree_sha256, write nothing
  sealcheck check SHA256SUMS               like `sha256sum -c`, but fail closed

Exit codes: 0 pass, 1 integrity failure, 2 bad input, 3 environment or I/O failure.";

const SEAL_HELP: &str = "\
Examples:
  sealcheck seal evidence/                       write evidence/HASH_MANIFEST.txt; print packet_tree_sha256
  sealcheck seal evidence/ --algo sha512         and SHA512SUMS, sealed by the canonical manifest
  sealcheck seal evidence/ --sign ~/.ssh/id_ed25519
  sealcheck seal evidence/ --reseal              seal over a manifest the packet no longer verifies against

Exit status: 0 sealed; 1 the packet does not verify against its existing manifest (nothing written);
2 something in the tree cannot be sealed (a link, a FIFO, an unsafe name); 3 an I/O failure.";
const TREE_HASH_HELP: &str = "\
Examples:
  sealcheck tree-hash evidence/                  packet_tree_sha256, as the coreutils one-liner gives it
  sealcheck tree-hash evidence/ --format h1      Go's dirhash of the same tree

Exit status: 0 printed; 2 something in the tree cannot be hashed; 3 an I/O failure.";
const SIGN_HELP: &str = "\
Examples:
  sealcheck sign evidence/ --key ~/.ssh/id_ed25519        a private key file (passphrase: SEALCHECK_KEY_PASSPHRASE)
  sealcheck sign evidence/ --key ~/.ssh/id_ed25519.pub    the private half held by ssh-agent
  ssh-keygen -Y verify -f allowed_signers -I ci@example.com -n sealcheck -s HASH_MANIFEST.txt.sig < HASH_MANIFEST.txt

Exit status: 0 signed; 1 the packet does not verify against its seal (nothing signed);
2 a bad key or a key inside the packet; 3 an I/O or agent failure.";
const SELFTEST_HELP: &str = "\
Example:
  sealcheck selftest --format junit     one testcase per drift class, each must fail closed

Exit status: 0 every class failed closed and the byte-identical packet passed; 1 otherwise.";
const RERUN_HELP: &str = "\
Examples:
  sealcheck rerun evidence/ --expect-tree 9f86d0…                  PASS (PACKET_TREE MATCH) or FAIL (PACKET_TREE MISMATCH)
  sealcheck rerun evidence/ --from-report report.json              the recorded packet_tree_sha256, read from a report
  sealcheck rerun evidence/ --expect-tree 9f86d0… --attest r.json  and a verification receipt

Exit status: 0 match; 1 mismatch or drift; 2 bad input; 3 an I/O failure.";

const VERIFY_HELP: &str = "\
Examples:
  sealcheck verify evidence/                                  the gate: exit 0 only when every byte matches
  sealcheck verify evidence/ --expect-tree 9f86d0…            also pin the manifest itself
  sealcheck verify evidence/ --allowed-signers allowed_signers --signer ci@example.com
  sealcheck verify bag/                                       a BagIt bag, through the same engine
  sealcheck verify evidence/ --manifest SHA512SUMS            a sha512sum manifest (the name says the algorithm)
  sealcheck verify evidence/ --format sarif --report r.json   SARIF on stdout, the JSON report in a file

Exit status:
  0  PASS: everything sealed matches, nothing else is wrong
  1  integrity failure: drift, missing, unsealed extra, moved, changed while reading, pin, signature
  2  bad input: a malformed manifest, pins file or signature, an unsafe path, an unsupported file type
  3  environment or I/O failure: an unreadable file, a network failure, an unset token";

const CHECK_HELP: &str = "\
Examples:
  sealcheck check SHA256SUMS                  as `sha256sum -c SHA256SUMS`
  cat SHA256SUMS | sealcheck check            no file: standard input, as GNU reads it
  sealcheck check A B                         several manifests, one after the other
  sealcheck check SHA256SUMS --explain        and why each mismatch drifted, on stderr

Exit status (GNU's): 0 when every listed file matched, 1 otherwise, including wherever
GNU would fail open (a BOM, a manifest that verifies nothing, a link or a FIFO listed).";

/// Prove that an evidence packet's bytes still match its seal.
#[derive(Debug, Parser)]
#[command(name = "sealcheck", disable_version_flag = true, after_help = EXAMPLES)]
#[command(subcommand_required = false, arg_required_else_help = true)]
pub struct Cli {
    /// Print the version (with --verbose: also the SHA-256 backend).
    #[arg(short = 'V', long)]
    pub version: bool,

    /// More detail where a command has it.
    #[arg(long, global = true, help_heading = "Global options")]
    pub verbose: bool,

    /// Hashing threads (default: four per CPU, at most 16, at least one per CPU:
    /// threads waiting on a cold disk keep more reads in flight).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..), help_heading = "Global options")]
    pub threads: Option<u16>,

    /// When to colour human output: auto honours NO_COLOR, CLICOLOR and CLICOLOR_FORCE, and needs a terminal.
    #[arg(long, global = true, value_enum, default_value = "auto", help_heading = "Global options")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write PACKET/HASH_MANIFEST.txt (canonical form) and print packet_tree_sha256.
    #[command(after_long_help = SEAL_HELP)]
    Seal(SealArgs),
    /// Print packet_tree_sha256 of PACKET without writing anything.
    #[command(after_long_help = TREE_HASH_HELP)]
    TreeHash(TreeHashArgs),
    /// Sign PACKET's seal with an SSH key (refused unless the packet verifies): writes HASH_MANIFEST.txt.sig.
    #[command(after_long_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Verification receipts (in-toto, SLSA VSA, DSSE).
    #[command(subcommand)]
    Attest(AttestCommand),
    /// The seal-vs-bytes gate: every sealed file byte-exact, nothing missing, nothing unsealed.
    #[command(after_long_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Check a sha256sum manifest like `sha256sum -c`, but fail closed where GNU fails open.
    #[command(after_long_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Negative controls: prove on this machine that every drift class fails closed.
    #[command(after_long_help = SELFTEST_HELP)]
    Selftest(SelftestArgs),
    /// Re-run a packet's verification against its recorded packet_tree_sha256 (replaces rerun.sh).
    #[command(after_long_help = RERUN_HELP)]
    Rerun(RerunArgs),
    /// Record a directory's state (tree hash and every file's digest) as JSON.
    Snapshot(SnapshotArgs),
    /// Judge a migration rehearsal: apply must change the state, rollback must restore it exactly.
    Rehearsal(RehearsalArgs),
    /// Pinned digests of single files, and the read-back of a pin from a JSON document.
    #[command(subcommand)]
    Pin(PinCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), generated from the same definitions as --help: the top page, or one subcommand's.
    Man {
        /// The subcommand whose page to print (e.g. verify, or "pin readback").
        subcommand: Option<String>,
    },
    /// Print the JSON Schema of the report (or, with --pins, of the pins file).
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct SelftestArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("recorded").required(true).args(["expect_tree", "from_report"])))]
pub struct RerunArgs {
    /// The packet directory.
    pub packet: PathBuf,
    /// The recorded packet_tree_sha256.
    #[arg(long, value_name = "HEX")]
    pub expect_tree: Option<String>,
    /// Read the recorded packet_tree_sha256 from this JSON report.
    #[arg(long = "from-report", value_name = "DOC.json")]
    pub from_report: Option<PathBuf>,
    /// JSON pointer to the value in the report (default: the one key named packet_tree_sha256).
    #[arg(long, value_name = "POINTER", requires = "from_report")]
    pub pointer: Option<String>,
    /// A pins file to check as well.
    #[arg(long, value_name = "FILE")]
    pub pins: Option<PathBuf>,
    /// A mirror that must be byte-identical, file for file (pinned files may be absent).
    #[arg(long, value_name = "DIR")]
    pub mirror: Option<PathBuf>,
    /// The manifest (default PACKET/HASH_MANIFEST.txt).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub signature: SignatureArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The directory.
    pub dir: PathBuf,
    /// Write the snapshot to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RehearsalArgs {
    /// The state before apply: a directory or a snapshot file.
    #[arg(long, value_name = "DIR|SNAPSHOT")]
    pub before: PathBuf,
    /// The state after apply.
    #[arg(long, value_name = "DIR|SNAPSHOT")]
    pub after_apply: PathBuf,
    /// The state after rollback.
    #[arg(long, value_name = "DIR|SNAPSHOT")]
    pub after_rollback: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of the pins file instead.
    #[arg(long)]
    pub pins: bool,
}

#[derive(Debug, Subcommand)]
pub enum PinCommand {
    /// Check that FILE's bytes hash to DIGEST (64 lowercase hex, optionally sha256:).
    Check(PinCheckArgs),
    /// Read a JSON document back (URL or file), select one row, assert its digest field.
    Readback(Box<ReadbackArgs>),
}

#[derive(Debug, Args)]
pub struct PinCheckArgs {
    /// The pinned file (never followed through a symlink).
    pub file: PathBuf,
    /// The pinned digest.
    pub digest: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["url", "from_file"])))]
pub struct ReadbackArgs {
    /// GET this URL (redirects are not followed).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Read the document from PATH, or - for standard input.
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
    /// Send a Bearer token read from this environment variable (never from a flag).
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// JSON pointer to the array of rows, e.g. /runtime_image_pins.
    #[arg(long, value_name = "POINTER")]
    pub rows: String,
    /// Select the row whose KEY equals VALUE (repeatable; all must hold).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub wheres: Vec<String>,
    /// The row's digest field.
    #[arg(long, value_name = "NAME", default_value = "image_digest")]
    pub field: String,
    /// The digest the row must carry.
    #[arg(long, value_name = "DIGEST")]
    pub expect: String,
    /// Seconds one request may take in all.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries after connection errors and 5xx answers, with backoff.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The packet directory.
    pub packet: PathBuf,
    /// The manifest's name relative to PACKET (left out of the tree).
    #[arg(long, value_name = "NAME", default_value = "HASH_MANIFEST.txt")]
    pub manifest: String,
    /// Leave out paths matching GLOB (a pattern without '/' matches names at any depth).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SealArgs {
    #[command(flatten)]
    pub tree: TreeArgs,
    /// Print the manifest on stdout instead of writing it.
    #[arg(long)]
    pub stdout: bool,
    /// Also write a second manifest in this algorithm (SHA512SUMS or B3SUMS, sealed by the canonical one).
    #[arg(long, value_enum, value_name = "ALGO")]
    pub algo: Option<AlgoArg>,
    /// Seal even though the packet no longer verifies against its existing manifest (says what it re-sealed).
    #[arg(long)]
    pub reseal: bool,
    /// Also sign the manifest with this SSH key (a private key file, or a public key held by ssh-agent).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The packet directory (or bag).
    pub packet: PathBuf,
    /// The SSH key: an OpenSSH private key file, or a public key whose private half ssh-agent holds.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The manifest to sign (default: the packet's seal).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

/// Writing a verification receipt.
#[derive(Clone, Debug, Args)]
pub struct AttestArgs {
    /// Write a verification receipt to FILE: an in-toto Statement v1 with the SLSA VSA v1 predicate.
    #[arg(long, value_name = "FILE", help_heading = "Receipt")]
    pub attest: Option<PathBuf>,
    /// Sign the receipt in a DSSE envelope with this Ed25519 key: an OpenSSH private key file, or a public key whose private half ssh-agent holds.
    #[arg(long, value_name = "KEY", requires = "attest", help_heading = "Receipt")]
    pub attest_key: Option<PathBuf>,
    /// The receipt's resourceUri (default: the packet's absolute file:// URL; for check the current directory's; for pin readback the URL or file read).
    #[arg(long, value_name = "URI", requires = "attest", help_heading = "Receipt")]
    pub resource_uri: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Check a verification receipt: its signature, its statement, and (with --packet) every subject's bytes.
    Verify(AttestVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AttestVerifyArgs {
    /// The receipt (a DSSE envelope or an unsigned statement).
    pub receipt: PathBuf,
    /// Require the envelope to be signed by an Ed25519 key this ALLOWED SIGNERS file lists.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Check every subject against the bytes of this packet.
    #[arg(long, value_name = "DIR")]
    pub packet: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Requiring a signature of the seal.
#[derive(Clone, Debug, Args)]
pub struct SignatureArgs {
    /// Require a valid SSH signature (MANIFEST.sig, namespace sealcheck) by a key this ALLOWED SIGNERS file allows.
    #[arg(long, value_name = "FILE", help_heading = "Signature")]
    pub allowed_signers: Option<PathBuf>,
    /// With --allowed-signers: the signer must be allowed as this principal (as `ssh-keygen -Y verify -I`).
    #[arg(long, value_name = "ID", requires = "allowed_signers", help_heading = "Signature")]
    pub signer: Option<String>,
    /// Check validity windows at this time (YYYYMMDD[HHMM[SS]][Z] or RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", requires = "allowed_signers", help_heading = "Signature")]
    pub signature_time: Option<String>,
    /// Require a valid minisign signature (MANIFEST.minisig) by this public key (a file or its base64 line).
    #[arg(long, value_name = "KEY", help_heading = "Signature")]
    pub minisign_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgoArg {
    Sha256,
    Sha512,
    Blake3,
}

impl AlgoArg {
    pub fn algo(self) -> sealcheck::digest::Algo {
        match self {
            AlgoArg::Sha256 => sealcheck::digest::Algo::Sha256,
            AlgoArg::Sha512 => sealcheck::digest::Algo::Sha512,
            AlgoArg::Blake3 => sealcheck::digest::Algo::Blake3,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TreeHashFormat {
    /// packet_tree_sha256 as 64 hex digits.
    Hex,
    /// Go's dirhash "h1:" value of the same tree.
    H1,
}

#[derive(Debug, Args)]
pub struct TreeHashArgs {
    #[command(flatten)]
    pub tree: TreeArgs,
    /// What to print.
    #[arg(long, value_enum, default_value = "hex")]
    pub format: TreeHashFormat,
    /// With --format h1: the prefix Go puts before each name (module@version).
    #[arg(long, value_name = "PREFIX")]
    pub h1_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Lines for a person.
    Human,
    /// The JSON report.
    Json,
    /// GitHub Actions annotations; a Markdown job summary goes to $GITHUB_STEP_SUMMARY when set.
    Github,
    /// JUnit XML (one testcase per checked file, pin, selftest control and read-back leg).
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning): one rule per finding class.
    Sarif,
}

#[derive(Clone, Debug, Args)]
pub struct OutputArgs {
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub format: FormatArg,
    /// Short for --format json.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
    /// Also write the JSON report to FILE, whatever the format on stdout.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<PathBuf>,
}

impl OutputArgs {
    pub fn format(&self) -> FormatArg {
        if self.json {
            FormatArg::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The packet directory.
    pub packet: PathBuf,
    /// The manifest (default PACKET/HASH_MANIFEST.txt); it may lie outside the packet.
    #[arg(long, value_name = "PATH", help_heading = "Seal")]
    pub manifest: Option<PathBuf>,
    /// Leave out paths matching GLOB (a pattern without '/' matches names at any depth).
    #[arg(long, value_name = "GLOB", help_heading = "Seal")]
    pub exclude: Vec<String>,
    /// The packet_tree_sha256 the bytes on disk must have (pins the manifest itself).
    #[arg(long, value_name = "HEX", help_heading = "Policy")]
    pub expect_tree: Option<String>,
    /// List unsealed files without failing on them.
    #[arg(long, help_heading = "Policy")]
    pub allow_extra: bool,
    /// A copy holding the sealed bytes (a mirror, an older checkout): diff changed files against it.
    #[arg(long, value_name = "DIR", help_heading = "Diagnosis")]
    pub against: Option<PathBuf>,
    /// Write the proven-restored bytes of each diagnosed file under DIR (never inside the packet).
    #[arg(long, value_name = "DIR", help_heading = "Diagnosis")]
    pub restore_to: Option<PathBuf>,
    /// A pins file ({"pins": [{name, path, sha256, size?}]}); paths relative to it.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub pins: Option<PathBuf>,
    /// Check PATH against the digest recorded in DOC.json at the JSON pointer (repeatable).
    #[arg(long, value_name = "DOC.json#/POINTER=PATH", help_heading = "Policy")]
    pub pin_from: Vec<String>,
    /// Fail if STRING appears in any file of the packet (repeatable).
    #[arg(long, value_name = "STRING", help_heading = "Policy")]
    pub forbid_token: Vec<String>,
    /// Forbidden strings, one per line (blank lines ignored).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub forbid_tokens: Option<PathBuf>,
    /// Fail on credential-shaped strings (private keys, cloud and forge tokens, JWTs, bearer headers).
    #[arg(long, help_heading = "Policy")]
    pub scan_secrets: bool,
    /// Files larger than this many bytes are not diagnosed.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20, help_heading = "Diagnosis")]
    pub diagnose_max_size: u64,
    /// The manifest's digest algorithm (default: from its name, e.g. SHA512SUMS or *.b3, else its lines).
    #[arg(long, value_enum, value_name = "ALGO", help_heading = "Seal")]
    pub algo: Option<AlgoArg>,
    /// Pass a seal that lists no file (by default "nothing verified" is red).
    #[arg(long, help_heading = "Policy")]
    pub allow_empty: bool,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub signature: SignatureArgs,
    /// BagIt: read '%' sequences other than %0A, %0D, %25 in manifest paths literally (with a warning).
    #[arg(long, help_heading = "BagIt")]
    pub bagit_lenient_names: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The manifests, or - for standard input (none: standard input, as GNU reads it).
    #[arg(value_name = "MANIFEST")]
    pub manifests: Vec<PathBuf>,
    /// Don't print OK for each successfully verified file.
    #[arg(long)]
    pub quiet: bool,
    /// Don't output anything; the exit code shows success.
    #[arg(long)]
    pub status: bool,
    /// Don't fail or report status for missing files (a run that verifies nothing still fails).
    #[arg(long)]
    pub ignore_missing: bool,
    /// Accepted for compatibility: improperly formatted lines always fail.
    #[arg(long)]
    pub strict: bool,
    /// Diagnose each mismatch on stderr (why it drifted, proven by re-hashing); stdout stays GNU's.
    #[arg(long)]
    pub explain: bool,
    /// Read NUL-terminated lines, as `sha256sum -z` writes them (names unescaped).
    #[arg(short = 'z', long)]
    pub zero: bool,
    /// Accepted for compatibility: improperly formatted lines are always named.
    #[arg(short = 'w', long)]
    pub warn: bool,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}
