// The __NAME__ layer: code the __SERVICE__ functions share.
export const describe = () => '__NAME__';
