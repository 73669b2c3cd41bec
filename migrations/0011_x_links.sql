CREATE TABLE `x_links` (
	`product_id` text NOT NULL,
	`link` text NOT NULL,
	`label` text NOT NULL,
	`post_url` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `link`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
