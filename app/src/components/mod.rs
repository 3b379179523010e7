//! Reusable pieces of the pages.

pub mod comment_form;
pub mod countdown;
pub mod staff_form;
