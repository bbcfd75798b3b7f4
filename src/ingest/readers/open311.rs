//! Open311 GeoReport v2 service requests (a JSON array), re-keyed to canonical field names so the
//! mapper needs no special case.
//!
//! `service_request_id`→id, `requested_datetime`→received_at, `description`→text,
//! `service_name`→category, `agency_responsible`→responsible, `status_notes`→answer,
//! `address`→address, `lat`/`long`→lat/lon. A `closed` request is closed, answered at its
//! `updated_datetime`; an `open` one leaves the status to mcu.

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::json::{JsonElements, parse_object, too_big, value_text};
use super::{Rows, open_file};
use crate::ingest::{FileError, RawRow, ReadItem};

/// The canonical headers every Open311 row carries, in this order.
const HEADERS: [&str; 11] = [
    "id",
    "received_at",
    "text",
    "category",
    "responsible",
    "status",
    "answered_at",
    "answer",
    "address",
    "lat",
    "lon",
];

/// Opens an Open311 GeoReport v2 array.
pub(super) fn open(path: &Path) -> Result<Rows, FileError> {
    let file = open_file(path)?;
    let mut elements = JsonElements::new(BufReader::with_capacity(64 * 1024, file));
    let headers: Arc<Vec<String>> = Arc::new(HEADERS.iter().map(|h| (*h).to_string()).collect());
    let iter = std::iter::from_fn(move || {
        let (index, element) = match elements.next_element() {
            Ok(Some(e)) => e,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let parsed = element
            .map_err(|size| too_big("service request", index, size))
            .and_then(|bytes| parse_object(&bytes, "service request", index));
        Some(Ok(match parsed {
            Ok(obj) => ReadItem::Row(RawRow {
                line: index,
                headers: Arc::clone(&headers),
                values: canonical_values(&obj),
            }),
            Err(bad) => ReadItem::Bad(bad),
        }))
    });
    Ok(Box::new(iter))
}

/// The values of one request in the order of [`HEADERS`].
fn canonical_values(obj: &Map<String, Value>) -> Vec<String> {
    let get = |k: &str| obj.get(k).map_or_else(String::new, value_text);
    let closed = get("status").trim().eq_ignore_ascii_case("closed");
    vec![
        get("service_request_id"),
        get("requested_datetime"),
        get("description"),
        get("service_name"),
        get("agency_responsible"),
        if closed {
            "closed".into()
        } else {
            String::new()
        },
        if closed {
            get("updated_datetime")
        } else {
            String::new()
        },
        get("status_notes"),
        get("address"),
        get("lat"),
        get("long"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(json: &str) -> Vec<String> {
        let obj: Map<String, Value> = serde_json::from_str(json).expect("test json");
        canonical_values(&obj)
    }

    #[test]
    fn closed_requests_carry_status_and_answer_time() {
        let v = values(
            r#"{"service_request_id": 7, "status": "closed", "updated_datetime": "2026-11-02T10:00:00+03:00",
                "requested_datetime": "2026-11-01T09:00:00+03:00", "description": "Яма", "lat": 56.9, "long": 46.8}"#,
        );
        assert_eq!(v[0], "7");
        assert_eq!(v[5], "closed");
        assert_eq!(v[6], "2026-11-02T10:00:00+03:00");
        assert_eq!((v[9].as_str(), v[10].as_str()), ("56.9", "46.8"));
    }

    #[test]
    fn open_requests_set_no_status() {
        let v = values(
            r#"{"service_request_id": "A-1", "status": "open", "updated_datetime": "2026-11-02T10:00:00+03:00"}"#,
        );
        assert_eq!((v[5].as_str(), v[6].as_str()), ("", ""));
    }
}
