//! Who may connect: operators' public keys (an OpenSSH key line, its SHA-256 fingerprint), the
//! server's own host key (made on first start, kept in the workspace with mode 0600), and the
//! count of failed authentications per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use chrono::{DateTime, Utc};
use russh::keys::{HashAlg, PrivateKey, PublicKey};

/// A public key as an operator gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    /// `ssh-ed25519 AAAA…` (algorithm and key, without the comment).
    pub key: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The comment the line carried (`user@host`), if any.
    pub comment: String,
}

/// Parses an OpenSSH public key line (`ssh-ed25519 AAAA… comment`, as in `id_ed25519.pub`).
pub fn parse_key_line(line: &str) -> Result<KeyLine, String> {
    let line = line.trim();
    if line.is_empty() {
        return Err(
            "the key is empty (expected a line such as «ssh-ed25519 AAAA… user@host»)".into(),
        );
    }
    let key = PublicKey::from_openssh(line).map_err(|e| {
        let start: String = line.chars().take(24).collect();
        format!("«{start}…» is not an OpenSSH public key line: {e}")
    })?;
    let comment = key.comment().to_string();
    let mut bare = key.clone();
    bare.set_comment("");
    let text = bare
        .to_openssh()
        .map_err(|e| format!("the key cannot be written back: {e}"))?;
    Ok(KeyLine {
        key: text.trim().to_string(),
        fingerprint: fingerprint(&key),
        comment,
    })
}

/// The SHA-256 fingerprint of a key, `SHA256:…`.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Reads the host key at `path`, or makes a new Ed25519 one there (mode 0600) when there is none.
pub fn host_key(path: &Path) -> Result<PrivateKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => PrivateKey::from_openssh(&text)
            .map_err(|e| format!("{}: not an OpenSSH private key: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
                .map_err(|e| format!("a host key cannot be made: {e}"))?;
            let text = key
                .to_openssh(russh::keys::ssh_key::LineEnding::LF)
                .map_err(|e| format!("the host key cannot be written: {e}"))?;
            if let Some(dir) = path.parent() {
                crate::workspace::create_private_dir(dir)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            crate::workspace::write_private_file(path, text.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            tracing::info!(fingerprint = %fingerprint(key.public_key()), "host key made");
            Ok(key)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Failed authentications per client address: after `max` within `window` the address is
/// refused until the oldest of them leaves the window.
#[derive(Debug)]
pub struct AuthLimiter {
    max: usize,
    window: chrono::Duration,
    failures: HashMap<IpAddr, Vec<DateTime<Utc>>>,
}

impl AuthLimiter {
    pub fn new(max: usize, window: chrono::Duration) -> Self {
        Self {
            max,
            window,
            failures: HashMap::new(),
        }
    }

    fn prune(&mut self, ip: IpAddr, now: DateTime<Utc>) {
        let window = self.window;
        if let Some(v) = self.failures.get_mut(&ip) {
            v.retain(|t| now - *t < window);
            if v.is_empty() {
                self.failures.remove(&ip);
            }
        }
    }

    /// Whether `ip` is refused now.
    pub fn blocked(&mut self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        self.prune(ip, now);
        self.failures.get(&ip).is_some_and(|v| v.len() >= self.max)
    }

    /// Counts a failed authentication of `ip`.
    pub fn failed(&mut self, ip: IpAddr, now: DateTime<Utc>) {
        self.prune(ip, now);
        self.failures.entry(ip).or_default().push(now);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    /// A fresh key's public line with a comment, as `id_ed25519.pub` holds it.
    pub(crate) fn key_line(comment: &str) -> String {
        let mut k = PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
            .expect("key")
            .public_key()
            .clone();
        k.set_comment(comment);
        k.to_openssh().expect("line")
    }

    #[test]
    fn a_key_line_gives_its_key_fingerprint_and_comment() {
        let k = parse_key_line(&key_line("petrova@pc")).expect("parsed");
        assert!(k.key.starts_with("ssh-ed25519 AAAAC3"), "{}", k.key);
        assert!(!k.key.contains("petrova"));
        assert!(k.fingerprint.starts_with("SHA256:"), "{}", k.fingerprint);
        assert_eq!(k.comment, "petrova@pc");
        // The same key without its comment has the same fingerprint.
        let bare = parse_key_line(&k.key).expect("bare");
        assert_eq!(bare.fingerprint, k.fingerprint);
    }

    #[test]
    fn a_bad_key_line_is_refused_with_a_reason() {
        let e = parse_key_line("ssh-ed25519 not-base64").expect_err("bad");
        assert!(e.contains("not an OpenSSH public key line"), "{e}");
        assert!(parse_key_line("  ").expect_err("empty").contains("empty"));
    }

    #[test]
    fn the_host_key_is_made_once_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ssh").join("host_ed25519");
        let made = host_key(&path).expect("made");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = host_key(&path).expect("read");
        assert_eq!(
            fingerprint(made.public_key()),
            fingerprint(again.public_key())
        );
    }

    #[test]
    fn failed_authentications_block_an_address_for_a_window() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("t");
        let ip: IpAddr = [10, 0, 0, 5].into();
        let other: IpAddr = [10, 0, 0, 6].into();
        let mut l = AuthLimiter::new(3, Duration::minutes(10));
        for i in 0..3 {
            assert!(!l.blocked(ip, t0 + Duration::seconds(i)));
            l.failed(ip, t0 + Duration::seconds(i));
        }
        assert!(l.blocked(ip, t0 + Duration::seconds(5)));
        assert!(!l.blocked(other, t0 + Duration::seconds(5)));
        // The first failure leaves the window: one more try.
        assert!(!l.blocked(ip, t0 + Duration::minutes(10)));
    }
}
