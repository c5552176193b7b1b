"""Linking billing accounts to parcels and streets: address normalisation and matching."""
