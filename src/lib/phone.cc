/* phone.cc - libphonenumber shim, being written. */
