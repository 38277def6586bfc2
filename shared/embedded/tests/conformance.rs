//! The port conformance suites on the embedded adapters.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod store {
    marelle_testkit::store_conformance!(marelle_testkit::embedded::store());
}

mod mail {
    marelle_testkit::mail_conformance!(marelle_testkit::embedded::mail());
}

mod blobs {
    marelle_testkit::blob_conformance!(marelle_testkit::embedded::blobs());
}

mod bus {
    marelle_testkit::bus_conformance!(marelle_testkit::embedded::bus());
}
