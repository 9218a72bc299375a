pub mod fake_npm;
