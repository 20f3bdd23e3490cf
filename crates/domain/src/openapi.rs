//! OpenAPI schemas of the domain's wire types (feature `openapi`).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::{Money, Msisdn, OperatorId};

pub fn string_enum(values: &[&'static str]) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.iter().copied())).into()
}

impl PartialSchema for Msisdn {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Phone number in E.164 form; input may be typed as people write it"))
            .examples(["+79161234567"])
            .into()
    }
}
impl ToSchema for Msisdn {}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some("Amount in kopecks (1/100 RUB)"))
            .into()
    }
}
impl ToSchema for Money {}

impl PartialSchema for OperatorId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[a-z0-9_-]{1,32}$")).examples(["mts"]).into()
    }
}
impl ToSchema for OperatorId {}
