//! Reference data: the shipped `data/` files with a workspace's overrides.
