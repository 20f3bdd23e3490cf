//! Subscribers, their lines and the paid add-on services on each line.

use super::*;

pub trait SubscribersLinesTx {
    fn insert_subscriber(&mut self, subscriber: &NewSubscriber) -> Result<i64>;
    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>>;
    fn insert_line(&mut self, line: &NewLine) -> Result<i64>;
    fn line(&mut self, id: i64) -> Result<Option<LineRow>>;
    /// The line that currently holds the number (not terminated, or terminated but aging).
    fn line_by_msisdn(&mut self, msisdn: &Msisdn) -> Result<Option<LineRow>>;
    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>>;
    fn update_line(&mut self, line: &LineRow) -> Result<()>;
    fn insert_service(&mut self, service: &ServiceRow) -> Result<i64>;
    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>>;
    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>>;
    fn update_service(&mut self, service: &ServiceRow) -> Result<()>;
}
