//! The database is personal data: its folder is the owner's alone (0700), and so are the
//! database file and its WAL and shared-memory files (0600). SQLite gives the side files the
//! mode of the database file, so the file is created 0600 before SQLite first opens it.

use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it the owner's alone.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Creates the database file (empty, owner-only) if it does not exist, and takes every other
/// permission away from it and its side files if they do.
pub fn private_database_file(path: &Path) -> io::Result<()> {
    if !path.exists() {
        create_owner_only(path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let side = Path::new(&name);
        if side.exists() {
            restrict(side, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_owner_only(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map(drop)
}

#[cfg(not(unix))]
fn create_owner_only(path: &Path) -> io::Result<()> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path).map(drop)
}
