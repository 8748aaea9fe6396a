/** What the simulated banks share to keep their books: an append-only file forced to disk line by line. */
package cn.onecard.simulators.books;
