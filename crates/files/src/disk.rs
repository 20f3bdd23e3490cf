//! Objects as files under one folder. Keys are simexit's own (`documents/12/3fa9…`), checked
//! to be plain relative paths; a name a client sent never becomes a path.

use std::path::{Path, PathBuf};

use simexit_service::documents::{BlobError, Blobs};

pub struct DiskBlobs {
    root: PathBuf,
}

impl DiskBlobs {
    pub fn new(root: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(DiskBlobs { root: root.to_owned() })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !safe {
            return Err(BlobError::Corrupt(format!("`{key}` is not an object key")));
        }
        Ok(self.root.join(key))
    }
}

fn unavailable(e: std::io::Error) -> BlobError {
    BlobError::Unavailable(e.to_string())
}

impl Blobs for DiskBlobs {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unavailable)?;
        }
        // Write aside and rename: a crash leaves the old object or the new one, never half.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, bytes).map_err(unavailable)?;
        std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(unavailable)?;
        std::fs::rename(&tmp, &path).map_err(unavailable)?;
        Ok(String::new())
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        match std::fs::read(self.path(key)?) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BlobError::NotFound),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), BlobError> {
        match std::fs::remove_file(self.path(key)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn kind(&self) -> &'static str {
        "disk"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn objects_are_stored_read_and_deleted_under_safe_keys_only() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = DiskBlobs::new(dir.path()).unwrap();
        blobs.put("documents/1/abc", b"hello").unwrap();
        assert_eq!(blobs.get("documents/1/abc").unwrap(), b"hello");
        blobs.delete("documents/1/abc").unwrap();
        blobs.delete("documents/1/abc").unwrap();
        assert_eq!(blobs.get("documents/1/abc"), Err(BlobError::NotFound));
        for bad in ["../../etc/passwd", "/etc/passwd", "documents//x", "a/./b", "a b"] {
            assert!(matches!(blobs.put(bad, b"x"), Err(BlobError::Corrupt(_))), "{bad}");
        }
    }
}
