//! What the console's alerts watch: the open urgent appeals.

use super::{Store, StoreError};
use crate::domain::Status;

impl Store {
    /// The ids of the open appeals marked urgent, in order.
    pub fn urgent_open(&self) -> Result<Vec<i64>, StoreError> {
        let open: Vec<String> = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.id()))
            .collect();
        let sql = format!(
            "SELECT id FROM appeals WHERE urgent = 1 AND status IN ({}) ORDER BY id",
            open.join(", ")
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let ids = st.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }
}
