//! Time in the commune's zone: business rules run in Europe/Paris.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;

pub use chrono_tz::Tz;

pub const ZONE: Tz = Paris;

/// Today's date in Paris.
pub fn local_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&ZONE).date_naive()
}

/// "04/01/2019 à 16:33", as the guide prints instants.
pub fn french_date_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&ZONE)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// "04/01/2019".
pub fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// RFC 3339 with the Paris offset, as the API prints instants.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.with_timezone(&ZONE)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Times of day as the API writes them, `HH:MM` (`#[serde(with = "hhmm")]`).
/// Reading also takes `HH:MM:SS`, as items stored before this format was
/// fixed carry it.
pub mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
            .map_err(|_| D::Error::custom(format!("heure invalide « {text} » (HH:MM attendu)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct At {
        #[serde(with = "hhmm")]
        at: chrono::NaiveTime,
    }

    #[test]
    fn times_of_day_are_written_hh_mm_and_read_with_or_without_seconds() {
        let at = At {
            at: chrono::NaiveTime::from_hms_opt(16, 30, 0).unwrap(),
        };
        assert_eq!(serde_json::to_string(&at).unwrap(), r#"{"at":"16:30"}"#);
        let old: At = serde_json::from_str(r#"{"at":"18:30:00"}"#).unwrap();
        assert_eq!(old.at, chrono::NaiveTime::from_hms_opt(18, 30, 0).unwrap());
        assert!(serde_json::from_str::<At>(r#"{"at":"25:00"}"#).is_err());
    }

    #[test]
    fn instants_print_in_paris_time_across_daylight_saving() {
        let winter = Utc
            .with_ymd_and_hms(2019, 1, 4, 15, 33, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(french_date_time(winter), "04/01/2019 à 16:33");
        assert_eq!(rfc3339(winter), "2019-01-04T16:33:00+01:00");
        let summer = Utc
            .with_ymd_and_hms(2019, 7, 4, 15, 33, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(french_date_time(summer), "04/07/2019 à 17:33");
    }
}
