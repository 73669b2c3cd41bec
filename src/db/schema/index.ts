export * from "./accounts";
export * from "./products";
export * from "./data";
export * from "./dashboards";
export * from "./system";
export * from "./ops";
export * from "./web";
export * from "./alerts";
