//! The built-in schemas (Confluent's `users`, `pageviews` and `orders` quickstarts) and the
//! generation of one record's value from a random stream.

use wasm_connect_sdk::types::{Schema, Struct};

use crate::rng::SplitMix64;

/// Lower bound of `registertime` and `ordertime` (Confluent's range; epoch ms, 2017-02-21).
const TIME_MIN: i64 = 1_487_715_775_521;
/// Upper bound (exclusive) of `registertime` and `ordertime` (2018-02-22).
const TIME_MAX: i64 = 1_519_273_364_600;

/// A built-in schema, selected by `quickstart`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quickstart {
    /// `ksql.users`, keyed by `userid`.
    Users,
    /// `ksql.pageviews`, keyed by `viewtime`.
    Pageviews,
    /// `ksql.orders`, keyed by `orderid`.
    Orders,
}

impl Quickstart {
    /// The names `quickstart` accepts.
    pub const NAMES: [&'static str; 3] = ["users", "pageviews", "orders"];

    /// The quickstart called `name`.
    pub fn from_name(name: &str) -> Option<Quickstart> {
        match name {
            "users" => Some(Quickstart::Users),
            "pageviews" => Some(Quickstart::Pageviews),
            "orders" => Some(Quickstart::Orders),
            _ => None,
        }
    }

    /// The name `quickstart` selects it by.
    pub fn name(self) -> &'static str {
        match self {
            Quickstart::Users => "users",
            Quickstart::Pageviews => "pageviews",
            Quickstart::Orders => "orders",
        }
    }

    /// The field used as the record key (Confluent's key field of the quickstart).
    pub fn key_field(self) -> &'static str {
        match self {
            Quickstart::Users => "userid",
            Quickstart::Pageviews => "viewtime",
            Quickstart::Orders => "orderid",
        }
    }

    /// The value schema: a struct named like Confluent's Avro record (`ksql.<name>`).
    pub fn value_schema(self) -> Schema {
        match self {
            Quickstart::Users => Schema::struct_builder()
                .name("ksql.users")
                .field("registertime", Schema::int64())
                .field("userid", Schema::string())
                .field("regionid", Schema::string())
                .field("gender", Schema::string())
                .build(),
            Quickstart::Pageviews => Schema::struct_builder()
                .name("ksql.pageviews")
                .field("viewtime", Schema::int64())
                .field("userid", Schema::string())
                .field("pageid", Schema::string())
                .build(),
            Quickstart::Orders => Schema::struct_builder()
                .name("ksql.orders")
                .field("ordertime", Schema::int64())
                .field("orderid", Schema::int32())
                .field("itemid", Schema::string())
                .field("orderunits", Schema::float64())
                .field(
                    "address",
                    Schema::struct_builder()
                        .name("ksql.address")
                        .field("city", Schema::string())
                        .field("state", Schema::string())
                        .field("zipcode", Schema::int64())
                        .build(),
                )
                .build(),
        }
    }

    /// The value of the record at `position`, drawing its random fields from `rng`. Fields that
    /// Confluent's schema counts (`viewtime`, `orderid`) follow `position`.
    pub fn generate(self, rng: &mut SplitMix64, position: u64) -> Struct {
        match self {
            Quickstart::Users => Struct::new()
                .put("registertime", rng.range_i64(TIME_MIN, TIME_MAX))
                .put("userid", format!("User_{}", rng.digit(1)))
                .put("regionid", format!("Region_{}", rng.digit(1)))
                .put("gender", rng.pick(&["MALE", "FEMALE", "OTHER"])),
            Quickstart::Pageviews => Struct::new()
                // Confluent: iteration from 1 in steps of 10.
                .put(
                    "viewtime",
                    1i64.wrapping_add((position as i64).wrapping_mul(10)),
                )
                .put("userid", format!("User_{}", rng.digit(1)))
                .put("pageid", format!("Page_{}{}", rng.digit(1), rng.digit(0))),
            Quickstart::Orders => {
                let ordertime = rng.range_i64(TIME_MIN, TIME_MAX);
                let mut itemid = format!("Item_{}", rng.digit(1));
                for _ in 0..rng.below(3) {
                    itemid.push(rng.digit(0));
                }
                let orderunits = rng.range_f64(0.1, 10.0);
                let city = digits_suffix(rng, "City_");
                let state = digits_suffix(rng, "State_");
                Struct::new()
                    .put("ordertime", ordertime)
                    // Confluent: iteration from 0 (an int, so it wraps after 2^31 records).
                    .put("orderid", (position % (1 << 31)) as i32)
                    .put("itemid", itemid)
                    .put("orderunits", orderunits)
                    .put(
                        "address",
                        Struct::new()
                            .put("city", city)
                            .put("state", state)
                            .put("zipcode", rng.range_i64(10_000, 99_999)),
                    )
            }
        }
    }
}

/// `prefix` followed by zero to two digits 1-9 (Confluent's `City_[1-9]{0,2}`).
fn digits_suffix(rng: &mut SplitMix64, prefix: &str) -> String {
    let mut text = prefix.to_string();
    for _ in 0..rng.below(3) {
        text.push(rng.digit(1));
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use wasm_connect_sdk::types::Value;

    /// Every field of the schema is set, with a value of the field's type.
    fn conforms(schema: &Schema, value: &Struct) -> bool {
        use wasm_connect_sdk::types::SchemaType as T;
        schema.fields.len() == value.fields.len()
            && schema.fields.iter().all(|f| match value.get(&f.name) {
                Some(Value::Int32(_)) => f.schema.schema_type == T::Int32,
                Some(Value::Int64(_)) => f.schema.schema_type == T::Int64,
                Some(Value::Float64(_)) => f.schema.schema_type == T::Float64,
                Some(Value::String(_)) => f.schema.schema_type == T::String,
                Some(Value::Struct(s)) => conforms(&f.schema, s),
                _ => false,
            })
    }

    #[test]
    fn values_match_their_schemas_and_confluent_patterns() {
        for name in Quickstart::NAMES {
            let q = Quickstart::from_name(name).unwrap();
            let schema = q.value_schema();
            assert_eq!(schema.name.as_deref(), Some(&*format!("ksql.{name}")));
            assert!(schema.field(q.key_field()).is_some());
            let mut rng = SplitMix64::new(1);
            for position in 0..200 {
                let value = q.generate(&mut rng, position);
                assert!(conforms(&schema, &value), "{name}: {value:?}");
                assert!(value.get(q.key_field()).is_some());
            }
        }
        assert_eq!(Quickstart::from_name("USERS"), None);
    }

    #[test]
    fn counted_fields_follow_the_position() {
        let mut rng = SplitMix64::new(1);
        let view = Quickstart::Pageviews.generate(&mut rng, 3);
        assert_eq!(view.get("viewtime"), Some(&Value::Int64(31)));
        let order = Quickstart::Orders.generate(&mut rng, 7);
        assert_eq!(order.get("orderid"), Some(&Value::Int32(7)));
        let user = Quickstart::Users.generate(&mut rng, 0);
        let userid = user.get("userid").unwrap().as_str().unwrap();
        assert!(userid.len() == 6 && userid.starts_with("User_"), "{userid}");
        let Some(Value::Int64(time)) = user.get("registertime") else {
            panic!("registertime")
        };
        assert!((TIME_MIN..TIME_MAX).contains(time));
    }
}
