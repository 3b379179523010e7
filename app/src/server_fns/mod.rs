//! Server functions, one file per area: each checks the session (staff), calls the core and maps
//! the error.

pub mod campaigns;
pub mod public;
pub mod search;
pub mod staff;
