//! The exit status of a judgement: the one number a CI gate reads.

use serde::Serialize;

/// How a command ended. The numeric value is the process exit code.
///
/// The variants are ordered by precedence: when several apply, the highest
/// wins ([`Status::max`]). Every non-zero status is red.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[repr(u8)]
pub enum Status {
    /// Everything sealed matches and nothing else is wrong.
    #[default]
    Pass = 0,
    /// Drift, missing, unsealed extra, moved, changed while reading, pin
    /// mismatch.
    Integrity = 1,
    /// Malformed manifest or pins, unsafe path, unsupported file type, bad
    /// arguments.
    BadInput = 2,
    /// Unreadable file, network failure, unset token: the environment failed.
    Environment = 3,
}

impl Status {
    /// The process exit code for this status.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// `true` only for [`Status::Pass`].
    pub fn is_pass(self) -> bool {
        self == Status::Pass
    }

    /// The contract's `final_status` word.
    pub fn final_status(self) -> &'static str {
        if self.is_pass() {
            "PASS"
        } else {
            "FAIL_CLOSED"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_status_wins() {
        let all = [Status::Integrity, Status::Environment, Status::Pass, Status::BadInput];
        assert_eq!(all.iter().copied().max(), Some(Status::Environment));
        assert_eq!(Status::Pass.max(Status::Integrity), Status::Integrity);
        assert_eq!(Status::BadInput.max(Status::Integrity), Status::BadInput);
    }

    #[test]
    fn codes_match_the_contract() {
        assert_eq!(
            [Status::Pass, Status::Integrity, Status::BadInput, Status::Environment].map(Status::code),
            [0, 1, 2, 3]
        );
        assert_eq!(Status::Pass.final_status(), "PASS");
        assert_eq!(Status::BadInput.final_status(), "FAIL_CLOSED");
    }
}
