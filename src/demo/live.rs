//! The demo's simulator: every few seconds a new export lands in the inbox, as the sources would
//! drop it, so a newcomer sees the console's panels move.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::exports::write_jsonl;
use super::{DemoConfig, DemoError, Generator};
use crate::domain::Channel;
use crate::ingest::IncomingAppeal;
use crate::reference::Reference;
use crate::workspace::Workspace;

/// Drops a small export of fresh appeals into the inbox at a steady pace.
pub struct Simulator {
    inbox: PathBuf,
    reference: Arc<Reference>,
    every: Duration,
    next: Instant,
    drops: u64,
}

impl Simulator {
    /// A simulator for a workspace: the first drop comes after `every`.
    pub fn new(ws: &Workspace, reference: Arc<Reference>, every: Duration) -> Self {
        Self {
            inbox: ws.inbox(),
            reference,
            every,
            next: Instant::now() + every,
            drops: 0,
        }
    }

    /// Drops a file when it is time; returns it.
    pub fn tick(&mut self) -> Result<Option<PathBuf>, DemoError> {
        if Instant::now() < self.next {
            return Ok(None);
        }
        self.next = Instant::now() + self.every;
        self.drop_now().map(Some)
    }

    /// Writes one export of 2–6 new appeals received just now (a hidden temporary name first,
    /// then renamed, as a copy tool does, so the importer never sees half a file).
    pub fn drop_now(&mut self) -> Result<PathBuf, DemoError> {
        self.drops += 1;
        let now = Utc::now();
        let stamp = now.timestamp();
        let count = 2 + (stamp as u64 + self.drops) % 5;
        let generator = Generator::new(
            DemoConfig {
                seed: stamp as u64 ^ (self.drops << 32),
                count: count * 4,
                now,
                days: 1,
            },
            self.reference.clone(),
        )?;
        let rows: Vec<(Channel, IncomingAppeal)> = generator
            .filter(|g| g.repeats.is_none())
            .take(count as usize)
            .enumerate()
            .map(|(k, g)| {
                let mut a = g.appeal;
                // Fresh, untriaged appeals: what the sources send, not what officers decide.
                a.source_id = format!("LIVE-{stamp}-{}-{k}", self.drops);
                a.received_at = now - chrono::Duration::minutes(k as i64);
                a.block = None;
                a.quality = None;
                a.conflict = None;
                a.status = None;
                a.responsible = None;
                a.first_response_at = None;
                a.answered_at = None;
                a.answer = None;
                a.rating = None;
                (g.channel, a)
            })
            .collect();
        let refs: Vec<(Channel, &IncomingAppeal)> = rows.iter().map(|(c, a)| (*c, a)).collect();
        let name = format!("live-{stamp}-{}.jsonl", self.drops);
        let tmp = self.inbox.join(format!(".{name}.part"));
        write_jsonl(&tmp, &refs, self.reference.calendar.timezone())?;
        let dest = self.inbox.join(&name);
        fs::rename(&tmp, &dest)
            .map_err(|e| DemoError::Other(format!("{}: {e}", dest.display())))?;
        Ok(dest)
    }
}
