//! The port conformance suites on the AWS adapters, against moto.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

mod store {
    marelle_testkit::store_conformance!(crate::common::store());
}

mod mail {
    marelle_testkit::mail_conformance!(crate::common::mail());
}

mod blobs {
    marelle_testkit::blob_conformance!(crate::common::blobs());
}

mod bus {
    marelle_testkit::bus_conformance!(crate::common::bus());
}
