//! The JSON shapes of the demo clock.

use super::*;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevClockBody {
    #[serde(default)]
    pub advance_days: u32,
    #[serde(default)]
    pub advance_hours: u32,
}

#[derive(Serialize, ToSchema)]
pub struct DevClockView {
    #[schema(value_type = String, format = DateTime)]
    pub now: Timestamp,
    /// How far the clock is ahead of the wall clock, in seconds.
    pub offset_seconds: i64,
    pub jobs_run: usize,
}
