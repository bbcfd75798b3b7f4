//! The built-in SSH server for tests: `mcu serve` on a free port of 127.0.0.1, keys made by
//! ssh-keygen, the OpenSSH client's command line.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn mcu(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_AS")
        .output()
        .expect("works")
}

pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A key pair made by ssh-keygen: the private key's path.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@test"))
        .arg("-f")
        .arg(&path)
        .output()
        .expect("ssh-keygen is installed (CI installs openssh-client)");
    assert!(out.status.success(), "{out:?}");
    path
}

/// `mcu serve` on a free port of 127.0.0.1; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(ws: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcu"))
            .arg("--workspace")
            .arg(ws)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-import"])
            .env_remove("MCU_HOME")
            .env_remove("MCU_AS")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("works");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("works");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in «{line}»"));
        Self { child, port }
    }
}

impl Server {
    /// Sends SIGTERM (what `systemctl stop` sends) and waits for the server to exit, at most
    /// `secs` seconds (polling); its exit status, or `None` if it had not exited by then.
    pub fn terminate(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -TERM: {sent}");
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while std::time::Instant::now() < end {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ssh command line of a client with `key`.
pub fn ssh(key: &Path, port: u16, extra: &str) -> String {
    format!(
        "ssh -F /dev/null -i {} -p {port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
         -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o LogLevel=ERROR {extra} \
         officer@127.0.0.1",
        key.display()
    )
}

/// Runs an ssh client with `key` to the server, without a local terminal (`extra`: `-T`, `-tt`,
/// a command after the host…), and returns what it gave.
pub fn client(key: &Path, port: u16, extra: &str, command: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{} {command}", ssh(key, port, extra)))
        .stdin(Stdio::null())
        .output()
        .expect("ssh runs")
}
