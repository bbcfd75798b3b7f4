//! The «Входящие» list: a window over the (possibly million-row) list of appeals, paged by key
//! from SQLite in the order chosen (`store::sorted`). Only a few screens of rows are ever held;
//! scrolling past them fetches the next page, `G` fetches the last page directly. The window knows
//! where it lies in the whole list (`start`) and how long that is (`total`), for the title.

use std::collections::BTreeSet;

use crate::domain::Appeal;
use crate::store::{ListFilter, Order, Sort, Store, StoreError};

/// Rows fetched at a time.
const PAGE: usize = 200;
/// Rows kept at most; beyond this the far end of the window is dropped.
const KEEP: usize = 1000;

/// The window over the list and the selection in it.
#[derive(Debug, Default)]
pub struct Incoming {
    pub filter: ListFilter,
    /// The order of the list, resolved against the store.
    pub order: Order,
    /// Appeals of the whole list before `rows[0]`.
    pub start: usize,
    /// Appeals in the whole list.
    pub total: usize,
    /// A contiguous run of the list, in its order.
    pub rows: Vec<Appeal>,
    /// Selected row, an index into `rows`.
    pub selected: usize,
    /// First row drawn, an index into `rows`.
    pub offset: usize,
    /// `rows[0]` is the first appeal of the list.
    pub at_start: bool,
    /// The last row is the last appeal of the list.
    pub at_end: bool,
    /// Appeals marked for a bulk action, by id.
    pub marked: BTreeSet<i64>,
    /// The blocks the operator may see (a block lead), kept under every filter.
    pub base_blocks: Option<Vec<String>>,
    /// The filter `total` was counted for and the store's change stamp then: a refresh that finds
    /// both the same (the minute turned, nothing was written) does not count again.
    counted: Option<(ListFilter, (i64, u64))>,
}

impl Incoming {
    /// The selected appeal.
    pub fn current(&self) -> Option<&Appeal> {
        self.rows.get(self.selected)
    }

    /// The selected appeal's place in the whole list, from 1 (0 when the list is empty).
    pub fn position(&self) -> usize {
        if self.rows.is_empty() {
            0
        } else {
            self.start + self.selected + 1
        }
    }

    /// Orders the list anew (from its first page).
    pub fn sort_by(&mut self, store: &Store, sort: Sort) -> Result<(), StoreError> {
        self.order = store.order(sort)?;
        self.reload_top(store)
    }

    /// Loads the first page.
    pub fn reload_top(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.order.sort != Sort::Received {
            // Blocks and recipients present may have changed.
            self.order = store.order(self.order.sort)?;
        }
        self.rows = store.list_sorted(&self.filter, &self.order, None, PAGE)?;
        self.count(store)?;
        self.start = 0;
        self.at_start = true;
        self.at_end = self.rows.len() < PAGE;
        self.selected = 0;
        self.offset = 0;
        Ok(())
    }

    /// Reloads the window where it is (new appeals, changed fields), keeping the selection on the
    /// same appeal when it is still listed.
    pub fn refresh(&mut self, store: &Store) -> Result<(), StoreError> {
        let keep_id = self.current().map(|a| a.id);
        let want = self.rows.len().clamp(PAGE, KEEP);
        if self.order.sort != Sort::Received {
            self.order = store.order(self.order.sort)?;
        }
        let (rows, at_start) = if self.at_start || self.rows.is_empty() {
            (
                store.list_sorted(&self.filter, &self.order, None, want)?,
                true,
            )
        } else {
            let first = &self.rows[0];
            let rows = store.list_sorted_from(&self.filter, &self.order, first, want)?;
            (rows, false)
        };
        let old_first = self.rows.first().map(|a| a.id);
        let unchanged = self.counted_now(store)?;
        self.count(store)?;
        self.start = match rows.first() {
            // Nothing written since and the window starts where it did: its place is the same.
            Some(first) if !at_start && unchanged && old_first == Some(first.id) => self.start,
            Some(first) if !at_start => store.position_in(&self.filter, &self.order, first)?,
            _ => 0,
        };
        self.at_end = rows.len() < want;
        self.rows = rows;
        self.at_start = at_start;
        let old_offset_gap = self.selected.saturating_sub(self.offset);
        self.selected = keep_id
            .and_then(|id| self.rows.iter().position(|a| a.id == id))
            .unwrap_or_else(|| self.selected.min(self.rows.len().saturating_sub(1)));
        // At the top of the list the view stays at the top, so new arrivals show; elsewhere the
        // selected row keeps its place on screen.
        self.offset = if self.at_start && self.offset == 0 {
            0
        } else {
            self.selected.saturating_sub(old_offset_gap)
        };
        Ok(())
    }

    /// Whether the count in hand is still true: the same filter, nothing written since.
    fn counted_now(&self, store: &Store) -> Result<bool, StoreError> {
        let stamp = store.change_stamp()?;
        Ok(self
            .counted
            .as_ref()
            .is_some_and(|(f, s)| *f == self.filter && *s == stamp))
    }

    /// Counts the list, unless neither the filter nor the database changed since the last count.
    fn count(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.counted_now(store)? {
            return Ok(());
        }
        let stamp = store.change_stamp()?;
        self.total = store.count_listed(&self.filter)?;
        self.counted = Some((self.filter.clone(), stamp));
        Ok(())
    }

    /// Moves the selection by `delta` rows (negative = up), fetching pages as needed.
    pub fn move_by(
        &mut self,
        store: &Store,
        delta: isize,
        height: usize,
    ) -> Result<(), StoreError> {
        if delta > 0 {
            let d = delta.unsigned_abs();
            while self.selected + d >= self.rows.len() && !self.at_end {
                self.fetch_older(store)?;
            }
            self.selected = (self.selected + d).min(self.rows.len().saturating_sub(1));
        } else {
            let d = delta.unsigned_abs();
            while self.selected < d && !self.at_start {
                self.fetch_newer(store)?;
            }
            self.selected = self.selected.saturating_sub(d);
        }
        self.scroll_into_view(height);
        Ok(())
    }

    /// Jumps to the first appeal.
    pub fn top(&mut self, store: &Store) -> Result<(), StoreError> {
        if !self.at_start {
            self.reload_top(store)?;
        }
        self.selected = 0;
        self.offset = 0;
        Ok(())
    }

    /// Jumps to the last appeal.
    pub fn bottom(&mut self, store: &Store, height: usize) -> Result<(), StoreError> {
        if !self.at_end {
            self.rows = store.list_sorted_before(&self.filter, &self.order, None, PAGE)?;
            self.at_end = true;
            self.at_start = self.rows.len() < PAGE;
            self.start = self.total.saturating_sub(self.rows.len());
        }
        self.selected = self.rows.len().saturating_sub(1);
        self.scroll_into_view(height);
        Ok(())
    }

    fn fetch_older(&mut self, store: &Store) -> Result<(), StoreError> {
        let more = store.list_sorted(&self.filter, &self.order, self.rows.last(), PAGE)?;
        self.at_end = more.len() < PAGE;
        self.rows.extend(more);
        if self.rows.len() > KEEP {
            let cut = self.rows.len() - KEEP;
            self.rows.drain(..cut);
            self.start += cut;
            self.selected = self.selected.saturating_sub(cut);
            self.offset = self.offset.saturating_sub(cut);
            self.at_start = false;
        }
        Ok(())
    }

    fn fetch_newer(&mut self, store: &Store) -> Result<(), StoreError> {
        let Some(first) = self.rows.first() else {
            self.at_start = true;
            return Ok(());
        };
        let more = store.list_sorted_before(&self.filter, &self.order, Some(first), PAGE)?;
        self.at_start = more.len() < PAGE;
        let n = more.len();
        self.start = self.start.saturating_sub(n);
        if self.at_start {
            self.start = 0;
        }
        self.rows.splice(0..0, more);
        self.selected += n;
        self.offset += n;
        if self.rows.len() > KEEP {
            self.rows.truncate(KEEP);
            self.at_end = false;
        }
        Ok(())
    }

    /// Keeps the selected row inside the drawn part.
    pub fn scroll_into_view(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
    }

    /// The ids an action applies to: the marked appeals, else the selected one.
    pub fn targets(&self) -> Vec<i64> {
        if self.marked.is_empty() {
            self.current().map(|a| vec![a.id]).unwrap_or_default()
        } else {
            self.marked.iter().copied().collect()
        }
    }
}
