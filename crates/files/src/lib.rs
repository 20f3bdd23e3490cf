//! Where document contents live: [`disk::DiskBlobs`] (a folder) behind [`sealed::Sealed`],
//! which encrypts every object with XChaCha20-Poly1305 under a named key before it reaches
//! the store, so a copied disk or bucket holds no readable passport scan.

pub mod disk;
pub mod sealed;
