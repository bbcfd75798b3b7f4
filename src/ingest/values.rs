//! Parsing of cell values: dates, booleans, status and channel words. (Stub: being filled in.)
