//! DynamoDB errors as store errors. A failed condition is a domain
//! conflict; anything else is logged here once, with the SDK's detail, and
//! leaves as `Unavailable` naming only the operation and the error code.

use std::fmt::Debug;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use marelle_domain::ports::store::StoreError;

/// The error of a single-item call (`PutItem`, `UpdateItem`…) or any call
/// without a more specific mapping.
pub fn sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    match err.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed { index: None },
        Some("TransactionConflictException") => StoreError::Contention,
        Some("ValidationException") => {
            tracing::warn!(operation, error = %DisplayErrorContext(&err), "dynamodb refused a request");
            StoreError::Invalid(format!(
                "{operation}: {}",
                err.message().unwrap_or("validation error")
            ))
        }
        code => {
            tracing::error!(operation, error = %DisplayErrorContext(&err), "dynamodb call failed");
            StoreError::Unavailable(format!(
                "dynamodb {operation}: {}",
                code.unwrap_or("no answer")
            ))
        }
    }
}

/// A cancelled transaction, from its cancellation reasons (one code per
/// write, "None" for those that were fine). When the reasons are missing,
/// the message DynamoDB writes ("… reasons [None, ConditionalCheckFailed]")
/// says the same.
pub fn cancelled(codes: &[Option<&str>], message: Option<&str>) -> StoreError {
    let from_message: Vec<Option<&str>>;
    let codes = if codes.is_empty() {
        from_message = message
            .and_then(|m| {
                let start = m.rfind('[')?;
                let end = m.rfind(']')?;
                m.get(start + 1..end)
            })
            .map(|list| list.split(',').map(|c| Some(c.trim())).collect())
            .unwrap_or_default();
        &from_message[..]
    } else {
        codes
    };
    if let Some(index) = codes
        .iter()
        .position(|c| *c == Some("ConditionalCheckFailed"))
    {
        return StoreError::ConditionFailed { index: Some(index) };
    }
    if codes.contains(&Some("TransactionConflict")) {
        return StoreError::Contention;
    }
    let reasons: Vec<&str> = codes
        .iter()
        .map(|c| c.unwrap_or("None"))
        .filter(|c| *c != "None")
        .collect();
    tracing::error!(?reasons, message, "dynamodb transaction cancelled");
    if reasons.contains(&"ValidationError") {
        StoreError::Invalid(format!("transaction refused: {}", reasons.join(", ")))
    } else {
        StoreError::Unavailable(format!(
            "dynamodb transaction cancelled: {}",
            reasons.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_condition_names_the_first_write_that_failed() {
        let err = cancelled(
            &[Some("None"), Some("None"), Some("ConditionalCheckFailed")],
            None,
        );
        assert!(matches!(
            err,
            StoreError::ConditionFailed { index: Some(2) }
        ));
    }

    #[test]
    fn a_conflict_is_contention_unless_a_condition_failed() {
        assert!(matches!(
            cancelled(&[Some("TransactionConflict"), Some("None")], None),
            StoreError::Contention
        ));
        assert!(matches!(
            cancelled(
                &[Some("TransactionConflict"), Some("ConditionalCheckFailed")],
                None
            ),
            StoreError::ConditionFailed { index: Some(1) }
        ));
    }

    #[test]
    fn the_message_stands_in_for_missing_reasons() {
        let msg = "Transaction cancelled, please refer cancellation reasons for specific \
                   reasons [None, ConditionalCheckFailed]";
        assert!(matches!(
            cancelled(&[], Some(msg)),
            StoreError::ConditionFailed { index: Some(1) }
        ));
    }

    #[test]
    fn other_reasons_make_the_store_unavailable_or_the_request_invalid() {
        assert!(matches!(
            cancelled(&[Some("None"), Some("ThrottlingError")], None),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            cancelled(&[Some("ValidationError")], None),
            StoreError::Invalid(_)
        ));
        assert!(matches!(cancelled(&[], None), StoreError::Unavailable(_)));
    }
}
