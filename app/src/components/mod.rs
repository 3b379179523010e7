//! Reusable pieces of the public pages.

pub mod comment_form;
pub mod countdown;
