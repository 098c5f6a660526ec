"""Land measures, land output and intensity per parcel, zone and industry."""
