//! Where document contents live: [`disk::DiskBlobs`] (a folder) or [`s3::S3Blobs`] (an
//! S3-compatible bucket), behind [`sealed::Sealed`],
//! which encrypts every object with XChaCha20-Poly1305 under a named key before it reaches
//! the store, so a copied disk or bucket holds no readable passport scan.

pub mod disk;
pub mod s3;
pub mod sealed;
